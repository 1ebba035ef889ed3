/**
 * Filtered, ordered, paged instance queries. Paging is keyset paging: the continuation token carries the
 * last row's sort key, and the next page starts strictly after it through the matching index, so page N
 * costs the same as page 1 (OFFSET would scan N pages).
 */
import type { Db, SqlValue } from './db';
import { INSTANCE_COLUMNS, rowToInstance } from './reads';
import type { InstancePage, InstanceQuery, InstanceRow } from './store';

type OrderBy = NonNullable<InstanceQuery['orderBy']>;

/** The full sort key of each order: unique (ends with instanceId) and matching an index of schema.ts. */
const SORT_KEYS: Record<OrderBy, ReadonlyArray<keyof InstanceRow>> = {
  createdTime: ['createdTime', 'instanceId'],
  lastUpdatedTime: ['lastUpdatedTime', 'instanceId'],
  instanceId: ['instanceId'],
  // Ties in name go newest/oldest first, so that one index serves the name filter and the name order.
  name: ['name', 'createdTime', 'instanceId'],
};

/** An empty `runtimeStatus` list means no status filter; `top` 0 or absent means everything. */
export function queryInstances(db: Db, query: InstanceQuery): InstancePage {
  const orderBy = query.orderBy ?? 'createdTime';
  if (!Object.hasOwn(SORT_KEYS, orderBy)) throw new Error(`cannot order instances by ${JSON.stringify(orderBy)}`);
  const keys = SORT_KEYS[orderBy];
  // Default order is newest first; an explicit orderBy is ascending unless `descending` says otherwise.
  const descending = query.descending ?? query.orderBy === undefined;
  const { clauses, params } = filter(query);

  if (query.continuationToken) {
    clauses.push(`(${keys.join(', ')}) ${descending ? '<' : '>'} (${keys.map(() => '?').join(', ')})`);
    params.push(...decodeToken(query.continuationToken, orderBy, descending, keys.length));
  }

  const dir = descending ? 'DESC' : 'ASC';
  let sql = `SELECT ${INSTANCE_COLUMNS} FROM instances${where(clauses)} ORDER BY ${keys.map((k) => `${k} ${dir}`).join(', ')}`;
  const top = query.top && query.top > 0 ? Math.floor(query.top) : 0;
  if (top) {
    sql += ' LIMIT ?';
    params.push(top + 1); // one more than asked tells whether another page exists
  }
  const instances = db.all(sql, params).map(rowToInstance);
  let continuationToken: string | null = null;
  if (top && instances.length > top) {
    instances.length = top;
    const last = instances[top - 1];
    continuationToken = encodeToken(orderBy, descending, keys.map((k) => last[k] as string | number));
  }
  return { instances, continuationToken };
}

/** Counts the instances matching the filters; ordering, paging and the token are ignored. */
export function countInstances(db: Db, query: InstanceQuery): number {
  const { clauses, params } = filter(query);
  return db.one(`SELECT count(*) FROM instances${where(clauses)}`, params)![0] as number;
}

function filter(query: InstanceQuery): { clauses: string[]; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (query.runtimeStatus?.length) {
    const statuses = [...new Set(query.runtimeStatus)]; // also bounds the number of cached statements
    clauses.push(`runtimeStatus IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (query.createdTimeFrom !== undefined) {
    clauses.push('createdTime >= ?');
    params.push(query.createdTimeFrom);
  }
  if (query.createdTimeTo !== undefined) {
    clauses.push('createdTime <= ?');
    params.push(query.createdTimeTo);
  }
  if (query.instanceIdPrefix) {
    // A range on the primary key index (LIKE would be case-insensitive and scan every row).
    clauses.push('instanceId >= ?');
    params.push(query.instanceIdPrefix);
    const upper = prefixUpperBound(query.instanceIdPrefix);
    if (upper !== null) {
      clauses.push('instanceId < ?');
      params.push(upper);
    }
  }
  if (query.name !== undefined) {
    clauses.push('name = ?');
    params.push(query.name);
  }
  return { clauses, params };
}

function where(clauses: string[]): string {
  return clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
}

/**
 * The least string greater than every string that starts with `prefix`, in SQLite's BINARY (UTF-8 byte,
 * hence code point) order: the prefix with its last code point incremented (skipping surrogates), or
 * null when every code point is the maximum.
 */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (codePoints.length) {
    const last = codePoints.pop()!;
    if (last < 0x10ffff) {
      codePoints.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...codePoints);
    }
  }
  return null;
}

function encodeToken(orderBy: OrderBy, descending: boolean, key: Array<string | number>): string {
  return Buffer.from(JSON.stringify([orderBy, descending ? 1 : 0, ...key])).toString('base64url');
}

function decodeToken(token: string, orderBy: OrderBy, descending: boolean, keyLength: number): SqlValue[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (
    !Array.isArray(parts) ||
    typeof parts[0] !== 'string' ||
    !Object.hasOwn(SORT_KEYS, parts[0]) ||
    !parts.slice(2).every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw new Error('invalid continuation token');
  }
  if (parts[0] !== orderBy || parts[1] !== (descending ? 1 : 0) || parts.length !== 2 + keyLength) {
    throw new Error('the continuation token belongs to a query with another order; start again without it');
  }
  return parts.slice(2) as SqlValue[];
}
