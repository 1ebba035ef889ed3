/**
 * The SQL schema and its migrations. The `meta` table records the schema version and what a checkpoint
 * covers (the last journal sequence number in it, the next message and work-item ids).
 *
 * Migrations run at open, after loading a checkpoint and before replaying the journal; journal records
 * hold store Transactions, not SQL, so they replay against any schema version. Append new migrations,
 * never edit shipped ones.
 */
import type { Db } from './db';

const MIGRATIONS: string[] = [
  // 1: instances, executions, history, messages, timers, work items.
  `
  CREATE TABLE instances (
    instanceId TEXT NOT NULL PRIMARY KEY,
    executionId TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    runtimeStatus TEXT NOT NULL,
    input TEXT,
    output TEXT,
    customStatus TEXT,
    createdTime INTEGER NOT NULL,
    lastUpdatedTime INTEGER NOT NULL,
    completedTime INTEGER,
    parentInstanceId TEXT,
    failureDetails TEXT,
    engineState TEXT NOT NULL
  );
  -- One index per sort key of instanceQuery.ts, each ending with instanceId (the keyset tie-breaker);
  -- the status and name ones also serve those filters in the default createdTime order.
  -- Prefix queries on instanceId use the primary key index.
  CREATE INDEX instances_created ON instances (createdTime, instanceId);
  CREATE INDEX instances_updated ON instances (lastUpdatedTime, instanceId);
  CREATE INDEX instances_status_created ON instances (runtimeStatus, createdTime, instanceId);
  CREATE INDEX instances_name_created ON instances (name, createdTime, instanceId);

  -- One row per execution (continue-as-new starts a new one); the instance row names the current one.
  CREATE TABLE executions (
    instanceId TEXT NOT NULL,
    executionId TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    eventCount INTEGER NOT NULL,
    PRIMARY KEY (instanceId, executionId)
  ) WITHOUT ROWID;

  -- One row per append (an episode's events, as a JSON array starting at event number idx): appending
  -- never rewrites earlier events and costs one insert, however many events an episode adds.
  CREATE TABLE history (
    instanceId TEXT NOT NULL,
    executionId TEXT NOT NULL,
    idx INTEGER NOT NULL,
    count INTEGER NOT NULL,
    events TEXT NOT NULL,
    PRIMARY KEY (instanceId, executionId, idx)
  );

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    instanceId TEXT NOT NULL,
    event TEXT NOT NULL
  );
  CREATE INDEX messages_instance ON messages (instanceId, id);

  CREATE TABLE timers (
    instanceId TEXT NOT NULL,
    timerId INTEGER NOT NULL,
    executionId TEXT NOT NULL,
    fireAt INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (instanceId, timerId)
  );

  CREATE TABLE work_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    instanceId TEXT NOT NULL,
    executionId TEXT NOT NULL,
    taskId INTEGER NOT NULL,
    name TEXT NOT NULL,
    input TEXT,
    createdTime INTEGER NOT NULL
  );
  CREATE INDEX work_items_instance ON work_items (instanceId);
  `,
  // 2: a timer's TimerFired event is built when it fires, from its id and fire time; it is not stored.
  `ALTER TABLE timers DROP COLUMN event;`,
  // 3: the engine's notes on each append (a JSON array, one per append merged into the row), from which
  // it rebuilds its state; rows written before have none, their instance row holding the whole state.
  `ALTER TABLE history ADD COLUMN engine TEXT;`,
  // 4: history events and engine notes may be stored packed (BLOBs, packedText.ts), which versions before
  // it cannot read: the version number alone makes them refuse the data.
  `SELECT 1;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface Meta {
  schemaVersion: number;
  /** Sequence number of the last journal record whose effects the database holds. */
  lastSeq: number;
  nextMessageId: number;
  nextWorkItemId: number;
}

const META_DEFAULTS: Meta = { schemaVersion: 0, lastSeq: 0, nextMessageId: 1, nextWorkItemId: 1 };

export function readMeta(db: Db): Meta {
  const meta = { ...META_DEFAULTS };
  for (const [key, value] of db.all('SELECT key, value FROM meta')) {
    if (typeof key === 'string' && key in meta) meta[key as keyof Meta] = value as number;
  }
  return meta;
}

export function writeMeta(db: Db, values: Partial<Meta>): void {
  for (const [key, value] of Object.entries(values)) {
    db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]);
  }
}

/** Brings a fresh or older database to SCHEMA_VERSION; refuses one written by a newer emulator. */
export function migrate(db: Db): void {
  db.run('CREATE TABLE IF NOT EXISTS meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL)');
  const { schemaVersion } = readMeta(db);
  if (schemaVersion > SCHEMA_VERSION) {
    throw new Error(
      `the data was written by a newer emulator (schema version ${schemaVersion}, this one knows up to ` +
        `${SCHEMA_VERSION}); upgrade the emulator or use another data folder`,
    );
  }
  for (let version = schemaVersion; version < SCHEMA_VERSION; version++) {
    db.atomically(() => {
      db.raw.exec(MIGRATIONS[version]);
      writeMeta(db, { schemaVersion: version + 1 });
    });
  }
}
