"""Differential test: bad (and a few good) inputs give the same error class and text as chromadb.

Each case runs once through huedb's prepare functions and once through a real chromadb 1.5.9
collection in a separate interpreter (/work/.chromavenv). Only errors Chroma raises before
touching stored data are compared: collection-dependent checks belong to the backend.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Any

import numpy as np
import pytest

from huedb._prepare import prepare_delete, prepare_get, prepare_query, prepare_records
from huedb._validation import validate_collection_metadata_for_modify
from huedb.types import SparseVector
from tests.chroma_reference import CHROMA_PYTHON, MISSING_REASON

# (collection method, keyword arguments as Python source, embedding-function mode, data loader?)
CASES: list[tuple[str, str, str, bool]] = [
    # --- ids -------------------------------------------------------------------------------
    ("add", "ids=5, embeddings=[1, 2, 3]", "ok", False),
    ("add", "ids=('a', 'b'), embeddings=[[1, 2, 3], [1, 2, 3]]", "ok", False),
    ("add", "ids=None, embeddings=[[1, 2, 3]]", "ok", False),
    ("add", "ids=None", "ok", False),
    ("add", "ids=[], embeddings=[]", "ok", False),
    ("add", "ids=[], embeddings=[[1, 2, 3]]", "ok", False),
    ("add", "ids=[1], embeddings=[[1, 2, 3]]", "ok", False),
    ("add", "ids=['a', 'a'], embeddings=[[1, 2, 3], [1, 2, 3]]", "ok", False),
    ("add", "ids=['a', 'a', 1], embeddings=[[1, 2, 3]] * 3", "ok", False),
    ("upsert", "ids=['x', 'x'], embeddings=[[1, 2, 3]] * 2", "ok", False),
    # --- embeddings ------------------------------------------------------------------------
    ("add", "ids=['a'], embeddings=[[]]", "ok", False),
    ("add", "ids=['a'], embeddings=[None]", "ok", False),
    ("add", "ids=['a'], embeddings=[[None, 1, 2]]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], None]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], 5]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], 'ab']", "ok", False),
    ("add", "ids=['a'], embeddings=np.array([[1, 2]], dtype=np.int8)", "ok", False),
    ("add", "ids=['a'], embeddings=np.array([1, 2, 3], dtype=np.uint8)", "ok", False),
    ("add", "ids=['a'], embeddings=np.array([True, False, True])", "ok", False),
    ("add", "ids=['a'], embeddings=[np.array([1, 2, 3], dtype=np.complex64)]", "ok", False),
    ("add", "ids=['a'], embeddings=np.zeros((1, 0))", "ok", False),
    ("add", "ids=['a'], embeddings=np.zeros((1, 2, 3))", "ok", False),
    ("add", "ids=['a'], embeddings=[np.array(5.0)]", "ok", False),
    ("add", "ids=['a'], embeddings=[np.array([[1, 2, 3]])]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [[1], [2], [3]]]", "ok", False),
    ("add", "ids=['a'], embeddings=[[True, 2, 3]]", "ok", False),
    ("add", "ids=['a'], embeddings=[['a', 2, 3]]", "ok", False),
    ("add", "ids=['a'], embeddings=[(1, 2, 3)]", "ok", False),
    ("add", "ids=['a'], embeddings=(1, 2, 3)", "ok", False),
    ("add", "ids=['a'], embeddings='abc'", "ok", False),
    ("add", "ids=['a'], embeddings=5", "ok", False),
    ("add", "ids=['a'], embeddings=[], documents=['x']", "ok", False),
    ("add", "ids=['a'], embeddings=np.zeros((0, 3))", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3], [1, 2]]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [1, 2]]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [1, float('nan'), 3]]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1e39, 2, 3]]", "ok", False),
    ("add", "ids=['a'], embeddings=np.array([[1, 2, 3]], dtype=np.float64) * 1e39", "ok", False),
    ("update", "ids=['a'], embeddings=[[1, 2, float('inf')]]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [True, False, 1]]", "ok", False),
    ("add", "ids=['ok1'], embeddings=np.array([1, 2, 3], dtype=np.float16)", "ok", False),
    # --- documents, images, uris, embedding ------------------------------------------------
    ("add", "ids=['a']", "ok", False),
    ("add", "ids=['a'], documents=['x'], images=[np.zeros((2, 2))]", "ok", False),
    ("add", "ids='a', documents=['a'], uris=[None]", "ok", False),
    ("add", "ids=['a'], uris=['x']", "ok", False),
    ("add", "ids=['a'], documents=[None]", "ok", False),
    ("add", "ids=['a'], documents=5", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], documents=[5]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], images=[np.zeros((2,))]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], images=[5]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], uris=[5]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], uris=[np.float64(1)]", "ok", False),
    ("upsert", "ids=['a'], embeddings=[[1, 2, 3]], uris=[b'x']", "ok", False),
    ("add", "ids=['a', 'b'], documents=['x'], uris=['u', 'v']", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3]] * 2, documents=['x'], uris=['u', 'v']",
     "ok", False),
    ("add", "ids=['a'], documents=[], metadatas=[]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], images=[]", "ok", False),
    ("add", "ids=[], embeddings=[[1, 2, 3]], metadatas=[]", "ok", False),
    ("upsert", "ids=['a']", "ok", False),
    ("upsert", "ids=['a'], uris=['x']", "ok", True),
    ("update", "ids=['a'], documents=['x'], images=[np.zeros((2, 2))]", "ok", False),
    ("update", "ids=['a'], documents=[None]", "ok", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "short", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "long", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "raise", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "keyerror", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "twoargs", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "noargs", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "empty", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "ragged", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "nan", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "str", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y']", "int8", False),
    ("upsert", "ids=['a'], documents=['x']", "raise", False),
    ("update", "ids=['a'], images=[np.zeros((2, 2))]", "raise", False),
    ("add", "ids=['a'], uris=['u']", "raise", True),
    ("add", "ids=['ok2', 'ok3'], documents=['x', 'y']", "np", False),
    ("update", "ids=['ok2'], metadatas=[{'a': None}]", "ok", False),
    # --- metadata ---------------------------------------------------------------------------
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas='x'", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[5]", "ok", False),
    ("update", "ids=['a'], metadatas='x'", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{}]", "ok", False),
    ("update", "ids=['a'], metadatas=[{}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'chroma:document': 1}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{2: 1, 'chroma:document': 2}]",
     "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{1: 1}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': (1, 2)}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'b': 1}}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': np.int64(3)}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': []}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': [1, 1.5]}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': [True, 1]}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': [None]}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': [[1]]}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': None}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': 10 ** 400}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': [1, 10 ** 400]}]", "ok", False),
    ("upsert", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': 10 ** 400}]", "ok", False),
    ("update", "ids=['a'], metadatas=[{'a': [10 ** 400]}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'': 1}]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3]] * 2, metadatas=[{'a': 1}, {'#a': 1}]",
     "ok", False),
    ("update", "ids=['a'], metadatas=[{'$a': None}]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [1, 2]], metadatas=[{'#a': 1}, None]",
     "ok", False),
    ("add", "ids=['a', 'b'], documents=['x', 'y'], metadatas=[{'#a': 1}, None]", "short", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': 1}, {'b': 2}]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3]], metadatas=[{'a': 1}]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3], [[1, 2], [3, 4]]], metadatas=[{'a': None}, "
     "None]", "ok", False),
    ("add", "ids=['a', 'b'], embeddings=[[1, 2, 3]] * 2, metadatas=[{'a': None}, None], "
     "uris=[1, None]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'#type': 'sparse_vector', "
     "'indices': [2, 1], 'values': [1, 2]}}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'#type': 'sparse_vector', "
     "'indices': [1], 'values': [1, 2]}}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'#type': 'sparse_vector', "
     "'indices': [1]}}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'#type': 'sparse_vector', "
     "'indices': [-1], 'values': [1]}}]", "ok", False),
    ("add", "ids=['a'], embeddings=[[1, 2, 3]], metadatas=[{'a': {'#type': 'other'}}]",
     "ok", False),
    ("add", "ids=['ok4'], embeddings=[[1, 2, 3]], metadatas=[{'a': 2 ** 63, 'b': float('nan')}]",
     "ok", False),
    # --- get ---------------------------------------------------------------------------------
    ("get", "ids=[]", "ok", False),
    ("get", "ids=['a', 'a']", "ok", False),
    ("get", "ids=[1]", "ok", False),
    ("get", "ids=('a', 'b')", "ok", False),
    ("get", "ids=5", "ok", False),
    ("get", "ids='abc'", "ok", False),
    ("get", "limit=-1", "ok", False),
    ("get", "offset=-1", "ok", False),
    ("get", "limit='x'", "ok", False),
    ("get", "offset='x'", "ok", False),
    ("get", "limit=1.5", "ok", False),
    ("get", "limit=np.float64(3)", "ok", False),
    ("get", "limit=__import__('decimal').Decimal(1)", "ok", False),
    ("get", "limit=2 ** 32", "ok", False),
    ("get", "limit=-(2 ** 64)", "ok", False),
    ("get", "offset=2 ** 64", "ok", False),
    ("get", "offset=-1, limit='x'", "ok", False),
    ("get", "limit=True", "ok", False),
    ("get", "offset=''", "ok", False),
    ("get", "limit=-1, where={'a': None}", "ok", False),
    ("get", "where={}", "ok", False),
    ("get", "where='x'", "ok", False),
    ("get", "where={'a': None}", "ok", False),
    ("get", "where={1: 1}", "ok", False),
    ("get", "where={'$contains': 'a'}", "ok", False),
    ("get", "where={'$and': {'a': 1}}", "ok", False),
    ("get", "where={'$and': [{'a': 1}]}", "ok", False),
    ("get", "where={'$or': 5}", "ok", False),
    ("get", "where={'$and': [{'a': 1}, 5]}", "ok", False),
    ("get", "where={'$and': [{'a': 1}, {'b': None}]}", "ok", False),
    ("get", "where={'a': {'$gt': 'x'}}", "ok", False),
    ("get", "where={'a': {'$gt': None}}", "ok", False),
    ("get", "where={'a': {'$gt': 1, '$lt': 2}}", "ok", False),
    ("get", "where={'a': {}}", "ok", False),
    ("get", "where={'a': {'$in': 1}}", "ok", False),
    ("get", "where={'a': {'$in': []}}", "ok", False),
    ("get", "where={'a': {'$in': [1.5, 2]}}", "ok", False),
    ("get", "where={'a': {'$nin': [True, 1]}}", "ok", False),
    ("get", "where={'#document': {'$contains': 1}}", "ok", False),
    ("get", "where={'a': {'$contains': None}}", "ok", False),
    ("get", "where={'a': {'$not_contains': [1]}}", "ok", False),
    ("get", "where={'a': {'$foo': 1}}", "ok", False),
    ("get", "where={'a': {'$regex': 'x'}}", "ok", False),
    ("get", "where={'a': {'$eq': None}}", "ok", False),
    ("get", "where={'a': [1]}", "ok", False),
    ("get", "where_document={}", "ok", False),
    ("get", "where_document='x'", "ok", False),
    ("get", "where_document={'$foo': 'x'}", "ok", False),
    ("get", "where_document={'$contains': 1}", "ok", False),
    ("get", "where_document={'$not_regex': ''}", "ok", False),
    ("get", "where_document={'$and': 'x'}", "ok", False),
    ("get", "where_document={'$or': [{'$contains': 'a'}]}", "ok", False),
    ("get", "where_document={'$and': [{'$contains': 'a'}, 5]}", "ok", False),
    ("get", "include='documents'", "ok", False),
    ("get", "include=None", "ok", False),
    ("get", "include=['foo']", "ok", False),
    ("get", "include=[1]", "ok", False),
    ("get", "include=['distances']", "ok", False),
    ("get", "include=['data']", "ok", False),
    ("get", "include=['data']", "ok", True),
    ("get", "ids=[1], where='x', include='y'", "ok", False),
    ("get", "where={'a': 1}, where_document={'$foo': 1}", "ok", False),
    # --- query -------------------------------------------------------------------------------
    ("query", "", "ok", False),
    ("query", "query_embeddings=None, query_texts=None, n_results=0", "ok", False),
    ("query", "query_embeddings=[1, 2, 3], n_results=1", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3], [1, 2]]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], query_texts=['a', 'b']", "ok", False),
    ("query", "query_texts=['a'], query_images=[np.zeros((2, 2))]", "ok", False),
    ("query", "query_texts=['a'], query_uris=['a']", "ok", False),
    ("query", "query_uris=['a']", "ok", False),
    ("query", "query_texts=[5]", "ok", False),
    ("query", "query_texts=[None]", "ok", False),
    ("query", "query_texts=[]", "ok", False),
    ("query", "query_embeddings=[]", "ok", False),
    ("query", "query_embeddings=[[]]", "ok", False),
    ("query", "query_embeddings=[[True, 2, 3]]", "ok", False),
    ("query", "query_embeddings=np.array([[1, 2, 3]], dtype=np.int8)", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], query_texts=[5]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], query_images=[5]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=1.5", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=0", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=-1", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=False", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=None", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results='3'", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=np.int64(3)", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=2 ** 32", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=2 ** 64", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=True", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], include='x'", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], include=['bad']", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], include=['distances', 'data']", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], ids=[1]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], ids=('a',)", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], ids=[np.float64(1)]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3], [[1, 2], [3, 4]]], n_results=2 ** 33", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3], [1, 2]], ids=[1]", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], where={'a': None}, n_results=0, include='x'",
     "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], n_results=0, include='x'", "ok", False),
    ("query", "query_embeddings=[[1, 2, 3]], where_document={'a': None}", "ok", False),
    ("query", "query_texts=['x']", "raise", False),
    ("query", "query_texts=['x'], n_results=0", "raise", False),
    ("query", "query_texts='abc'", "ok", False),
    # --- delete ------------------------------------------------------------------------------
    ("delete", "", "ok", False),
    ("delete", "ids=[]", "ok", False),
    ("delete", "ids=['a', 'a']", "ok", False),
    ("delete", "ids=[1]", "ok", False),
    ("delete", "ids=('a', 'b')", "ok", False),
    ("delete", "ids=['a'], limit=1", "ok", False),
    ("delete", "where={'a': 1}, limit=-1", "ok", False),
    ("delete", "where={'a': 1}, limit=True", "ok", False),
    ("delete", "where={'a': 1}, limit=1.5", "ok", False),
    ("delete", "where={'a': 1}, limit=np.int64(3)", "ok", False),
    ("delete", "where={'a': None}", "ok", False),
    ("delete", "where={'a': None}, limit=-1", "ok", False),
    ("delete", "ids=[1], limit=1", "ok", False),
    ("delete", "where_document={'$contains': ''}", "ok", False),
    ("delete", "where={}, limit=2 ** 32", "ok", False),
    ("delete", "where={'a': 1}, limit=2 ** 32", "ok", False),
    ("delete", "where={'a': 1}, limit=2 ** 64", "ok", False),
    ("delete", "where={'a': 1}, where_document={'$contains': 'x'}, limit=0", "ok", False),
    # --- modify ------------------------------------------------------------------------------
    ("modify", "metadata='x'", "ok", False),
    ("modify", "metadata={}", "ok", False),
    ("modify", "metadata={'hnsw:space': 'l2'}", "ok", False),
    ("modify", "metadata={'chroma:document': 1}", "ok", False),
    ("modify", "metadata={1: 1, 'hnsw:space': 'l2'}", "ok", False),
    ("modify", "metadata={'hnsw:space': 'l2', 'a': (1,)}", "ok", False),
    ("modify", "metadata={'a': []}", "ok", False),
]

# The same raw embedding-function behaviours on both sides; Chroma's EF wrapper and huedb's
# prepare step then normalise and validate the output.
EF_SOURCE = '''
import numpy as np
def raw_embed(mode, inputs):
    n = len(inputs)
    if mode == "ok": return [[float(i), 1.0, 2.0] for i in range(n)]
    if mode == "short": return [[1.0, 2.0, 3.0]]
    if mode == "long": return [[1.0, 2.0, 3.0]] * (n + 1)
    if mode == "raise": raise RuntimeError("boom")
    if mode == "keyerror": raise KeyError("k")
    if mode == "twoargs": raise ValueError("a", "b")
    if mode == "noargs": raise ValueError()
    if mode == "empty": return []
    if mode == "ragged": return [[1.0, 2.0, 3.0], [1.0]][:n]
    if mode == "nan": return [[float("nan"), 2.0, 3.0]] * n
    if mode == "str": return ["abc"] * n
    if mode == "np": return np.ones((n, 3), dtype=np.float64)
    if mode == "int8": return [np.ones(3, dtype=np.int8)] * n
    raise AssertionError(mode)
'''

CHROMA_RUNNER = EF_SOURCE + '''
import json, sys, warnings
warnings.simplefilter("ignore")
import chromadb
from chromadb.api.types import EmbeddingFunction, SparseVector
MODE = ["ok"]
class EF(EmbeddingFunction):
    def __init__(self): pass
    def __call__(self, input): return raw_embed(MODE[0], input)
    @staticmethod
    def name(): return "huedb-diff"
    def get_config(self): return {}
    @staticmethod
    def build_from_config(config): return EF()
class Loader:
    def __call__(self, uris): return [np.zeros((2, 2)) for _ in uris]
client = chromadb.EphemeralClient()
plain = client.create_collection("plain", embedding_function=EF())
loaded = client.create_collection("loaded", embedding_function=EF(), data_loader=Loader())
for col in (plain, loaded):
    col.add(ids=["seed"], embeddings=[[1.0, 2.0, 3.0]])
out = []
for method, source, mode, with_loader in json.loads(sys.stdin.read()):
    MODE[0] = mode
    col = loaded if with_loader else plain
    kwargs = eval(f"dict({source})", {"np": np, "SparseVector": SparseVector})
    try:
        getattr(col, method)(**kwargs)
        out.append(["OK", ""])
    except Exception as exc:
        out.append([type(exc).__name__, str(exc)])
print(json.dumps(out))
'''

_namespace: dict[str, Any] = {}
exec(EF_SOURCE, _namespace)
raw_embed = _namespace["raw_embed"]


def run_huedb(method: str, source: str, mode: str, with_loader: bool) -> tuple[str, str]:
    kwargs = eval(f"dict({source})", {"np": np, "SparseVector": SparseVector})

    def embed(inputs: list[Any]) -> Any:
        return raw_embed(mode, inputs)

    def load(uris: list[str]) -> list[Any]:
        return [np.zeros((2, 2)) for _ in uris]

    loader = load if with_loader else None
    try:
        if method in ("add", "upsert", "update"):
            prepare_records(method, **kwargs, embed=embed, load_uris=loader)  # type: ignore[arg-type]
        elif method == "get":
            args = {"ids": None, "where": None, "where_document": None, "limit": None,
                    "offset": None, "include": ["metadatas", "documents"], **kwargs}
            prepare_get(**args, has_data_loader=with_loader)
        elif method == "query":
            args = {"query_embeddings": None, "query_texts": None, "query_images": None,
                    "query_uris": None, "ids": None, "n_results": 10, "where": None,
                    "where_document": None, "include": ["metadatas", "documents", "distances"],
                    **kwargs}
            prepare_query(**args, embed_query=embed, load_uris=loader,
                          has_data_loader=with_loader)
        elif method == "delete":
            args = {"ids": None, "where": None, "where_document": None, "limit": None, **kwargs}
            prepare_delete(**args)
        else:
            validate_collection_metadata_for_modify(kwargs["metadata"])
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return "OK", ""


def _canonical(message: str) -> str:
    # Chroma names these fields from a set, so the order differs between its runs.
    def sort_names(match: re.Match[str]) -> str:
        return f"Exactly one of {', '.join(sorted(match.group(1).split(', ')))} must be provided"

    return re.sub(r"Exactly one of (.*) must be provided", sort_names, message)


@pytest.fixture(scope="module")
def chroma_results() -> list[list[str]]:
    if not CHROMA_PYTHON.exists():
        pytest.skip(MISSING_REASON)
    payload = json.dumps([list(case) for case in CASES])
    done = subprocess.run(
        [str(CHROMA_PYTHON), "-c", CHROMA_RUNNER], input=payload, capture_output=True,
        text=True, timeout=120, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    assert done.returncode == 0, done.stderr
    results: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)),
                         ids=[f"{c[0]}:{c[1][:60]}:{c[2]}" for c in CASES])
def test_same_error_as_chroma(
    chroma_results: list[list[str]], index: int, case: tuple[str, str, str, bool]
) -> None:
    expected_class, expected_message = chroma_results[index]
    actual_class, actual_message = run_huedb(*case)
    assert (actual_class, _canonical(actual_message)) == (
        expected_class, _canonical(expected_message)
    )
