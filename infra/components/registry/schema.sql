-- Feathr registry schema (SQL backend), as the feathrfeaturestore/feathr-registry image expects it.
-- The image does not create these tables. `pulumi up` runs this file (followed by the role seed)
-- from inside Azure with sqlcmd; every batch is idempotent, so re-running it changes nothing.
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
