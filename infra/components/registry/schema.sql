-- Feathr registry schema (SQL backend), as the feathrfeaturestore/feathr-registry image expects it.
-- The image does not create these tables. `pulumi up` runs this file (followed by the registry app's
-- database user and the role seed) from inside Azure with sqlcmd; every batch is idempotent, so
-- re-running it changes nothing.
-- Batches are separated by GO, exactly as sqlcmd splits them.

-- Registry entities: projects, sources, anchors, features (attributes hold the JSON document).
IF OBJECT_ID(N'dbo.entities', N'U') IS NULL
    CREATE TABLE dbo.entities (
        entity_id      varchar(50)   NOT NULL CONSTRAINT pk_entities PRIMARY KEY,
        qualified_name varchar(200)  NOT NULL,
        entity_type    varchar(100)  NOT NULL,
        attributes     nvarchar(max) NOT NULL
    );
GO

-- Relations between entities (Contains / BelongsTo / Consumes / Produces).
IF OBJECT_ID(N'dbo.edges', N'U') IS NULL
    CREATE TABLE dbo.edges (
        edge_id   varchar(50) NOT NULL CONSTRAINT pk_edges PRIMARY KEY,
        from_id   varchar(50) NOT NULL,
        to_id     varchar(50) NOT NULL,
        conn_type varchar(20) NOT NULL
    );
GO

-- Registry RBAC (REACT_APP_ENABLE_RBAC=true): a row is active while delete_reason is NULL.
IF OBJECT_ID(N'dbo.userroles', N'U') IS NULL
    CREATE TABLE dbo.userroles (
        record_id     int IDENTITY(1, 1) NOT NULL CONSTRAINT pk_userroles PRIMARY KEY,
        project_name  varchar(50) NOT NULL,
        user_name     varchar(50) NOT NULL,
        role_name     varchar(50) NOT NULL,
        create_by     varchar(50) NOT NULL,
        create_reason varchar(50) NOT NULL,
        create_time   datetime    NOT NULL,
        delete_by     varchar(50) NULL,
        delete_reason varchar(50) NULL,
        delete_time   datetime    NULL
    );
GO

-- One entity per qualified name. The image looks a name up before inserting it, without a lock
-- (sql-registry/registry/db_registry.py, create_project*), and asserts on reading two rows: two
-- concurrent register_features() runs could otherwise insert one name twice, after which every
-- create of that name fails. With the index the second insert fails and its transaction rolls back.
-- Under the database's default case-insensitive collation this matches the image's own
-- `qualified_name = %s` lookup. Creating it fails (error 1505, naming the key) if duplicates
-- already exist: see docs/registry-operations.md, section 7.
IF NOT EXISTS (SELECT 1 FROM sys.indexes
               WHERE object_id = OBJECT_ID(N'dbo.entities') AND name = N'ux_entities_qualified_name')
    CREATE UNIQUE INDEX ux_entities_qualified_name ON dbo.entities (qualified_name);
GO

-- The image reads edges by (from_id, conn_type) on every lookup and traversal (get_neighbors,
-- _bfs_step); to_id is included so those reads need no lookup into the table.
IF NOT EXISTS (SELECT 1 FROM sys.indexes
               WHERE object_id = OBJECT_ID(N'dbo.edges') AND name = N'ix_edges_from_id_conn_type')
    CREATE INDEX ix_edges_from_id_conn_type ON dbo.edges (from_id, conn_type) INCLUDE (to_id);
GO
