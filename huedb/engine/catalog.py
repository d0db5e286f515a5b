"""Tenants, databases and collections: their rows, names and the errors Chroma gives for them."""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from huedb.engine import configuration as config_rules
from huedb.engine.store import Store
from huedb.errors import InternalError, InvalidArgumentError, NotFoundError, already_exists
from huedb.types import CollectionModel, Database, Tenant

_NAME_CHARS = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")

_COLLECTION_COLUMNS = (
    "c.pk, c.id, c.name, c.dimension, c.configuration, c.metadata, c.schema, c.log_seq, "
    "d.name, d.tenant"
)
_SELECT_COLLECTION = (
    f"SELECT {_COLLECTION_COLUMNS} FROM collections c JOIN databases d ON d.id = c.database_id"
)


class CollectionRow:
    """A collection as stored, with the internal key records refer to."""

    __slots__ = ("pk", "model", "log_seq")

    def __init__(self, row: tuple[Any, ...]) -> None:
        pk, cid, name, dim, configuration, metadata, schema, log_seq, db, tenant = row
        self.pk: int = pk
        self.log_seq: int = log_seq
        self.model = CollectionModel(
            id=UUID(cid), name=name, configuration_json=json.loads(configuration),
            metadata=json.loads(metadata) if metadata else None, dimension=dim,
            tenant=tenant, database=db,
            serialized_schema=json.loads(schema) if schema else None,
        )


def validate_collection_name(name: Any, field: str = "name") -> None:
    prefix = f"Validation error: {field}: "
    if not isinstance(name, str) or not _NAME_CHARS.match(name):
        raise InvalidArgumentError(
            f"{prefix}Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting "
            f"and ending with a character in [a-zA-Z0-9]. Got: {name}"
        )
    if ".." in name:
        raise InvalidArgumentError(
            f"{prefix}Expected a name that does not contains two consecutive periods (..). "
            f"Got {name}"
        )
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return
    raise InvalidArgumentError(
        f"{prefix}Expected a name that is not a valid ip address. Got {name}"
    )


def validate_collection_metadata(metadata: Mapping[str, Any] | None,
                                 field: str = "metadata") -> None:
    """Database-side checks; Chroma crashes on list values, huedb rejects them clearly."""
    if metadata is None:
        return
    prefix = f"Validation error: {field}: "
    if len(metadata) == 0:
        raise InvalidArgumentError(f"{prefix}Metadata cannot be empty")
    for key, value in metadata.items():
        if key == "":
            raise InvalidArgumentError(f"{prefix}Metadata key cannot be empty")
        if key[0] in "#$":
            raise InvalidArgumentError(f"{prefix}Metadata key cannot start with '#' or '$': {key}")
        if isinstance(value, bool) or isinstance(value, (str, int, float)) or (
                value is None and field == "new_metadata"):
            continue
        raise InvalidArgumentError(
            f"{prefix}Collection metadata values must be str, int, float or bool; "
            f"key '{key}' has a {type(value).__name__}"
        )


# -- tenants and databases ---------------------------------------------------------------------

def create_tenant(store: Store, name: str) -> None:
    if not isinstance(name, str) or len(name) < 3:
        raise InvalidArgumentError(
            'Validation error: name: Validation error: length [{"min": Number(3), '
            f'"value": String("{name}")}}]'
        )
    with store.atomic() as conn:
        if conn.execute("SELECT 1 FROM tenants WHERE name = ?", (name,)).fetchone():
            raise already_exists(f"Tenant [{name}] already exists")
        conn.execute("INSERT INTO tenants (name) VALUES (?)", (name,))


def get_tenant(store: Store, name: str) -> Tenant:
    with store.snapshot() as conn:
        if not conn.execute("SELECT 1 FROM tenants WHERE name = ?", (name,)).fetchone():
            raise NotFoundError(f"Tenant [{name}] not found")
    return {"name": name}


def create_database(store: Store, name: str, tenant: str) -> None:
    if not isinstance(name, str) or len(name) < 3:
        raise InvalidArgumentError("database name must be at least 3 characters")
    with store.atomic() as conn:
        found = conn.execute(
            "SELECT 1 FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
        if found:
            raise already_exists(f"Database [{name}] already exists")
        conn.execute(
            "INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)",
            (str(uuid.uuid4()), name, tenant),
        )


def get_database(store: Store, name: str, tenant: str) -> Database:
    with store.snapshot() as conn:
        row = conn.execute(
            "SELECT id, name, tenant FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
    if row is None:
        raise NotFoundError(f"Database [{name}] not found. Are you sure it exists?")
    return {"id": UUID(row[0]), "name": row[1], "tenant": row[2]}


def list_databases(store: Store, limit: int | None, offset: int | None,
                   tenant: str) -> list[Database]:
    with store.snapshot() as conn:
        rows = conn.execute(
            "SELECT id, name, tenant FROM databases WHERE tenant = ? ORDER BY name "
            "LIMIT ? OFFSET ?",
            (tenant, -1 if limit is None else limit, offset or 0),
        ).fetchall()
    return [{"id": UUID(r[0]), "name": r[1], "tenant": r[2]} for r in rows]


def delete_database(store: Store, name: str, tenant: str) -> list[int]:
    """Deletes the database and its collections; returns the deleted collections' keys."""
    with store.atomic() as conn:
        row = conn.execute(
            "SELECT id FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Database [{name}] not found")
        pks = [r[0] for r in conn.execute(
            "SELECT pk FROM collections WHERE database_id = ?", (row[0],))]
        for pk in pks:
            _delete_collection_rows(conn, pk)
        conn.execute("DELETE FROM databases WHERE id = ?", (row[0],))
    return pks


# -- collections ---------------------------------------------------------------------------------

def _database_id(conn: sqlite3.Connection, tenant: str, database: str) -> str:
    row = conn.execute(
        "SELECT id FROM databases WHERE tenant = ? AND name = ?", (tenant, database)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Database [{database}] not found. Are you sure it exists?")
    return str(row[0])


def create_collection(
    store: Store, name: str, configuration: Mapping[str, Any] | None,
    metadata: Mapping[str, Any] | None, get_or_create: bool, tenant: str, database: str,
    schema: Mapping[str, Any] | None,
) -> CollectionModel:
    resolved = config_rules.resolve_create(configuration, metadata)
    validate_collection_name(name)
    validate_collection_metadata(metadata)
    with store.atomic() as conn:
        db_id = _database_id(conn, tenant, database)
        row = conn.execute(
            f"{_SELECT_COLLECTION} WHERE c.database_id = ? AND c.name = ?", (db_id, name)
        ).fetchone()
        if row is not None:
            if get_or_create:
                return CollectionRow(row).model
            raise already_exists(f"Collection [{name}] already exists")
        conn.execute(
            "INSERT INTO collections (id, name, database_id, configuration, metadata, schema) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), name, db_id, json.dumps(resolved),
             _json_or_null(metadata), None if schema is None else json.dumps(schema)),
        )
        row = conn.execute(
            f"{_SELECT_COLLECTION} WHERE c.database_id = ? AND c.name = ?", (db_id, name)
        ).fetchone()
    return CollectionRow(row).model


def get_collection(store: Store, name: str, tenant: str, database: str) -> CollectionModel:
    with store.snapshot() as conn:
        row = conn.execute(
            f"{_SELECT_COLLECTION} WHERE d.tenant = ? AND d.name = ? AND c.name = ?",
            (tenant, database, name),
        ).fetchone()
    if row is None:
        raise NotFoundError(f"Collection [{name}] does not exist")
    return CollectionRow(row).model


def find_collection(conn: sqlite3.Connection, collection_id: UUID) -> CollectionRow | None:
    row = conn.execute(f"{_SELECT_COLLECTION} WHERE c.id = ?", (str(collection_id),)).fetchone()
    return None if row is None else CollectionRow(row)


def list_collections(store: Store, limit: int | None, offset: int | None, tenant: str,
                     database: str) -> list[CollectionModel]:
    with store.snapshot() as conn:
        rows = conn.execute(
            f"{_SELECT_COLLECTION} WHERE d.tenant = ? AND d.name = ? ORDER BY c.id "
            "LIMIT ? OFFSET ?",
            (tenant, database, -1 if limit is None else limit, offset or 0),
        ).fetchall()
    return [CollectionRow(r).model for r in rows]


def count_collections(store: Store, tenant: str, database: str) -> int:
    with store.snapshot() as conn:
        row = conn.execute(
            "SELECT count(*) FROM collections c JOIN databases d ON d.id = c.database_id "
            "WHERE d.tenant = ? AND d.name = ?", (tenant, database),
        ).fetchone()
    return int(row[0])


def modify_collection(
    store: Store, collection_id: UUID, new_name: str | None,
    new_metadata: Mapping[str, Any] | None, new_configuration: Mapping[str, Any] | None,
) -> None:
    if new_name is not None:
        validate_collection_name(new_name, "new_name")
    if new_metadata is not None:
        validate_collection_metadata(new_metadata, "new_metadata")
        # As in Chroma, a None value in new metadata just leaves that key out.
        new_metadata = {k: v for k, v in new_metadata.items() if v is not None}
    with store.atomic() as conn:
        found = find_collection(conn, collection_id)
        if found is None:
            raise NotFoundError(f"Collection [{collection_id}] does not exist")
        if new_name is not None and new_name != found.model.name:
            clash = conn.execute(
                "SELECT 1 FROM collections WHERE database_id = "
                "(SELECT database_id FROM collections WHERE pk = ?) AND name = ?",
                (found.pk, new_name),
            ).fetchone()
            if clash:
                raise InternalError(
                    "Database error: error returned from database: (code: 2067) UNIQUE "
                    "constraint failed: collections.name, collections.database_id"
                )
            conn.execute("UPDATE collections SET name = ? WHERE pk = ?", (new_name, found.pk))
        if new_metadata is not None:
            conn.execute("UPDATE collections SET metadata = ? WHERE pk = ?",
                         (_json_or_null(new_metadata), found.pk))
        if new_configuration is not None:
            updated = config_rules.resolve_update(found.model.configuration_json,
                                                  new_configuration)
            conn.execute("UPDATE collections SET configuration = ? WHERE pk = ?",
                         (json.dumps(updated), found.pk))


def delete_collection(store: Store, name: str, tenant: str, database: str) -> int:
    """Deletes a collection and every row that belongs to it; returns its internal key."""
    with store.atomic() as conn:
        row = conn.execute(
            "SELECT c.pk FROM collections c JOIN databases d ON d.id = c.database_id "
            "WHERE d.tenant = ? AND d.name = ? AND c.name = ?", (tenant, database, name),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Collection [{name}] does not exist")
        _delete_collection_rows(conn, row[0])
    return int(row[0])


def _delete_collection_rows(conn: sqlite3.Connection, pk: int) -> None:
    # List-valued metadata goes too: Chroma leaves it behind and later records inherit it.
    conn.execute("DELETE FROM record_metadata WHERE collection = ?", (pk,))
    conn.execute("DELETE FROM records WHERE collection = ?", (pk,))
    conn.execute("DELETE FROM tombstones WHERE collection = ?", (pk,))
    conn.execute("DELETE FROM collections WHERE pk = ?", (pk,))


def _json_or_null(value: Mapping[str, Any] | None) -> str | None:
    return None if not value else json.dumps({k: _widened(v) for k, v in value.items()})


def _widened(value: Any) -> Any:
    """Integers beyond int64 are stored as floats, as Chroma stores them."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return float(value)
    return value
