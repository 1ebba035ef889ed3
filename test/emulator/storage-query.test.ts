import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prefixUpperBound } from '../../emulator/host/storage/instanceQuery';
import { openStore, SqlStore } from '../../emulator/host/storage/sqlStore';
import type { InstanceQuery, InstanceRow } from '../../emulator/host/storage/store';
import type { RuntimeStatus } from '../../emulator/protocol/durable';
import { instance } from './support/storeFixtures';

describe('storage: instance queries', () => {
  const STATUSES: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'Suspended'];
  const rows: InstanceRow[] = [];
  for (let i = 0; i < 3000; i++) {
    rows.push(
      instance(`${['order', 'user', 'batch'][i % 3]}-${String((i * 7919) % 3000).padStart(4, '0')}`, {
        name: ['Hello', 'Process', 'Fan'][(i * 13) % 3],
        runtimeStatus: STATUSES[(i * 5) % 6],
        createdTime: 1_000_000 + (i % 400) * 1000, // many ties, broken by instanceId
        lastUpdatedTime: 2_000_000 + ((i * 31) % 977),
      }),
    );
  }
  let store: SqlStore;
  before(async () => {
    store = await openStore(fs.mkdtempSync(path.join(os.tmpdir(), 'store-query-')));
    await store.commit({ upsertInstances: rows.slice(0, 1500) });
    await store.commit({ upsertInstances: rows.slice(1500) });
  });
  after(async () => {
    await store.close();
    fs.rmSync(store.dataDir, { recursive: true, force: true });
  });

  function expected(q: InstanceQuery): string[] {
    const orderBy = q.orderBy ?? 'createdTime';
    const desc = q.descending ?? q.orderBy === undefined;
    const keys: Array<keyof InstanceRow> = orderBy === 'name' ? ['name', 'createdTime', 'instanceId'] : [orderBy, 'instanceId'];
    const cmp = (a: InstanceRow, b: InstanceRow): number => {
      for (const k of keys) if (a[k] !== b[k]) return (a[k]! < b[k]! ? -1 : 1) * (desc ? -1 : 1);
      return 0;
    };
    return rows
      .filter(
        (r) =>
          (!q.runtimeStatus?.length || q.runtimeStatus.includes(r.runtimeStatus)) &&
          (q.createdTimeFrom === undefined || r.createdTime >= q.createdTimeFrom) &&
          (q.createdTimeTo === undefined || r.createdTime <= q.createdTimeTo) &&
          (!q.instanceIdPrefix || r.instanceId.startsWith(q.instanceIdPrefix)) &&
          (q.name === undefined || r.name === q.name),
      )
      .sort(cmp)
      .map((r) => r.instanceId);
  }

  const queries: InstanceQuery[] = [
    {},
    { descending: false },
    { runtimeStatus: ['Running'] },
    { runtimeStatus: ['Failed', 'Pending', 'Suspended'], descending: false },
    { name: 'Process', orderBy: 'lastUpdatedTime', descending: true },
    { orderBy: 'name' },
    { orderBy: 'name', descending: true, runtimeStatus: ['Completed'] },
    { orderBy: 'instanceId', instanceIdPrefix: 'user-1' },
    { instanceIdPrefix: 'batch-2', createdTimeFrom: 1_100_000, createdTimeTo: 1_200_000 },
    { orderBy: 'instanceId', descending: true, name: 'Fan', createdTimeFrom: 1_300_000 },
    { runtimeStatus: [] },
  ];
  for (const q of queries) {
    it(`pages through ${JSON.stringify(q)}`, () => {
      const want = expected(q);
      assert.deepEqual(store.queryInstances(q).instances.map((r) => r.instanceId), want);
      assert.equal(store.countInstances(q), want.length);
      const got: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = store.queryInstances({ ...q, top: 97, continuationToken: token });
        assert.ok(page.instances.length <= 97);
        got.push(...page.instances.map((r) => r.instanceId));
        token = page.continuationToken ?? undefined;
        pages++;
      } while (token);
      assert.deepEqual(got, want);
      assert.equal(pages, Math.max(1, Math.ceil(want.length / 97)));
    });
  }

  it('returns whole rows and no token on the last page', () => {
    const page = store.queryInstances({ instanceIdPrefix: 'order-0001', orderBy: 'instanceId', top: 5 });
    assert.deepEqual(page.instances, rows.filter((r) => r.instanceId === 'order-0001'));
    assert.equal(page.continuationToken, null);
  });

  it('rejects foreign or malformed continuation tokens', () => {
    const { continuationToken } = store.queryInstances({ top: 10 });
    assert.throws(() => store.queryInstances({ top: 10, orderBy: 'name', continuationToken: continuationToken! }), /another order/);
    assert.throws(() => store.queryInstances({ top: 10, continuationToken: 'garbage' }), /invalid continuation token/);
  });

  it('computes prefix upper bounds in code point order', () => {
    assert.equal(prefixUpperBound('abc'), 'abd');
    assert.equal(prefixUpperBound('a\u{10ffff}'), 'b');
    assert.equal(prefixUpperBound('\u{10ffff}'), null);
    assert.equal(prefixUpperBound('x\ud7ff'), 'x\ue000');
    assert.equal(prefixUpperBound('x\u{1f600}'), 'x\u{1f601}');
  });
});
