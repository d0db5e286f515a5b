"""Request bodies of Chroma's HTTP API v2 as pydantic models (they also feed /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

U32 = Annotated[StrictInt, Field(ge=0, le=2**32 - 1)]
IncludeField = Literal["distances", "documents", "embeddings", "metadatas", "uris"]
ScalarValue = StrictBool | StrictInt | StrictFloat | StrictStr
CollectionMetadataValue = (
    ScalarValue | list[StrictBool] | list[StrictInt] | list[StrictFloat] | list[StrictStr]
)
CollectionMetadata = dict[str, CollectionMetadataValue]
# A vector is a list of numbers or the base64 of its little-endian float32 bytes.
Vector = list[float] | StrictStr


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateTenant(_Body):
    name: StrictStr


class UpdateTenant(_Body):
    resource_name: StrictStr


class CreateDatabase(_Body):
    name: StrictStr


class CreateCollection(_Body):
    name: StrictStr
    metadata: CollectionMetadata | None = None
    configuration: dict[str, Any] | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    get_or_create: StrictBool = False


class UpdateCollection(_Body):
    new_name: StrictStr | None = None
    new_metadata: CollectionMetadata | None = None
    new_configuration: dict[str, Any] | None = None


class AddRecords(_Body):
    ids: list[StrictStr]
    embeddings: list[Vector]
    metadatas: list[dict[str, Any] | None] | None = None
    documents: list[StrictStr | None] | None = None
    uris: list[StrictStr | None] | None = None


class UpdateRecords(_Body):
    ids: list[StrictStr]
    embeddings: list[Vector | None] | None = None
    metadatas: list[dict[str, Any] | None] | None = None
    documents: list[StrictStr | None] | None = None
    uris: list[StrictStr | None] | None = None


class GetRecords(_Body):
    ids: list[StrictStr] | None = None
    where: dict[str, Any] | None = None
    where_document: dict[str, Any] | None = None
    limit: U32 | None = None
    offset: U32 | None = None
    include: list[IncludeField] = ["documents", "metadatas"]


class QueryRecords(_Body):
    query_embeddings: list[Vector]
    n_results: U32 = 10
    ids: list[StrictStr] | None = None
    where: dict[str, Any] | None = None
    where_document: dict[str, Any] | None = None
    include: list[IncludeField] = ["documents", "metadatas", "distances"]


class DeleteRecords(_Body):
    ids: list[StrictStr] | None = None
    where: dict[str, Any] | None = None
    where_document: dict[str, Any] | None = None
    limit: U32 | None = None


class ForkCollection(_Body):
    new_name: StrictStr


class SearchRecords(_Body):
    searches: list[dict[str, Any]]
    read_level: StrictStr | None = None


class AttachFunction(_Body):
    name: StrictStr
    function_id: StrictStr
    output_collection: StrictStr
    params: dict[str, Any] | None = None


class DetachFunction(_Body):
    delete_output: StrictBool = False

# Query strings arrive as text, so their integers are parsed, not strict.
QueryU32 = Annotated[int, Field(ge=0, le=2**32 - 1)]
