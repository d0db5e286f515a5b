"""Routes `chroma run` serves but refuses: fork, search, indexing status, attached functions."""

from __future__ import annotations

from fastapi import APIRouter

from huedb.errors import ChromaError, InternalError
from huedb.server.deps import record_collection_id
from huedb.server.models import AttachFunction, DetachFunction, ForkCollection, SearchRecords

router = APIRouter(prefix="/api/v2/tenants/{tenant}/databases/{database}/collections/"
                          "{collection_id}", tags=["unsupported"])


def _unimplemented(message: str) -> ChromaError:
    error = ChromaError(message)
    error.status = 501
    return error


@router.post("/fork")
def fork(collection_id: str, body: ForkCollection) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Collection forking is not implemented for Local Chroma")


@router.get("/fork_count")
def fork_count(collection_id: str) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Fork count is not implemented for Local Chroma")


@router.post("/search")
def search(collection_id: str, body: SearchRecords) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Search is not implemented for Local Chroma")


@router.get("/indexing_status")
def indexing_status(collection_id: str) -> None:
    record_collection_id(collection_id)
    raise InternalError("Indexing status is not implemented for Local Chroma")


@router.post("/functions/attach")
def attach_function(collection_id: str, body: AttachFunction) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Attached functions are not implemented for Local Chroma")


@router.get("/functions/{function_name}")
def get_attached_function(collection_id: str, function_name: str) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Attached functions are not implemented for Local Chroma")


@router.post("/attached_functions/{name}/detach")
def detach_function(collection_id: str, name: str, body: DetachFunction) -> None:
    record_collection_id(collection_id)
    raise _unimplemented("Attached functions are not implemented for Local Chroma")
