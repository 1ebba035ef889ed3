/**
 * A thin wrapper over a sql.js Database: prepared statements are cached by their SQL text and reused
 * (preparing costs more than running a small statement), and rows come back as arrays.
 */
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';

export type { SqlValue };

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Loads the sql.js WebAssembly module once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

export class Db {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly raw: Database) {
    // The database lives in sql.js's in-memory file system and durability comes from our own journal:
    // SQLite's rollback journal only needs to support ROLLBACK, and no other connection ever shares the
    // file. Each of these settings made small transactions several times faster (measured).
    raw.exec(
      'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; ' +
        'PRAGMA temp_store = MEMORY',
    );
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, params: SqlValue[] = []): void {
    const stmt = this.statement(sql);
    try {
      stmt.bind(params);
      stmt.step();
    } finally {
      stmt.reset();
    }
  }

  all(sql: string, params: SqlValue[] = []): SqlValue[][] {
    const stmt = this.statement(sql);
    const rows: SqlValue[][] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) rows.push(stmt.get());
    } finally {
      stmt.reset();
    }
    return rows;
  }

  /** The first column of every row. */
  column<T extends SqlValue>(sql: string, params: SqlValue[] = []): T[] {
    const stmt = this.statement(sql);
    const values: T[] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) values.push(stmt.get()[0] as T);
    } finally {
      stmt.reset();
    }
    return values;
  }

  one(sql: string, params: SqlValue[] = []): SqlValue[] | undefined {
    const stmt = this.statement(sql);
    try {
      stmt.bind(params);
      return stmt.step() ? stmt.get() : undefined;
    } finally {
      stmt.reset();
    }
  }

  /** Runs `fn` atomically: all or nothing. A savepoint, so it nests (a flush inside a replay). */
  atomically(fn: () => void): void {
    this.run('SAVEPOINT tx');
    try {
      fn();
    } catch (err) {
      this.run('ROLLBACK TO tx');
      this.run('RELEASE tx');
      throw err;
    }
    this.run('RELEASE tx');
  }

  /** A snapshot of the whole database file (sql.js keeps statements and pragmas valid across it). */
  export(): Uint8Array {
    return this.raw.export();
  }

  close(): void {
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
    this.raw.close();
  }
}
