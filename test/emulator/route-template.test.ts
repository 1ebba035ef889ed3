/** Route templates of app HTTP functions: literals, optional parts, defaults, catch-all and every ASP.NET constraint. */
import * as assert from 'node:assert/strict';
import { compileRoute, matchRoute } from '../../emulator/host/http/routeTemplate';

const match = (template: string, path: string) => matchRoute(compileRoute(template), path);

describe('route templates', () => {
  it('matches literal segments case-insensitively and decodes parameters', () => {
    assert.deepEqual(match('Orders/{id}', 'oRDERS/a%20b'), { id: 'a b' });
    assert.equal(match('orders/{id}', 'items/1'), null);
    assert.equal(match('orders/{id}', 'orders/1/extra'), null);
  });

  it('handles optional parameters, defaults and a catch-all', () => {
    assert.deepEqual(match('items/{id?}', 'items'), {});
    assert.deepEqual(match('items/{page=1}', 'items'), { page: '1' });
    assert.deepEqual(match('items/{page:int=1}', 'items'), { page: '1' });
    assert.deepEqual(match('items/{id:int?}', 'items/5'), { id: '5' });
    assert.deepEqual(match('files/{*rest}', 'files/a/b%2Fc'), { rest: 'a/b/c' });
    assert.deepEqual(match('files/{*rest}', 'files'), {});
  });

  const cases: [string, string[], string[]][] = [
    ['int', ['0', '-12', '2147483647'], ['1.5', 'x', '2147483648']],
    ['long', ['9223372036854775807', '-3'], ['9223372036854775808', '1e3']],
    ['double', ['1.5', '-2', '1e3'], ['abc', '1.2.3']],
    ['float', ['.5', '3.'], ['x']],
    ['decimal', ['10.25', '-1'], ['1e3', 'y']],
    ['bool', ['true', 'FALSE'], ['yes', '1']],
    ['alpha', ['abcXYZ'], ['abc1', 'a-b']],
    ['guid', ['6f9619ff-8b86-d011-b42d-00cf4fc964ff', '6f9619ff8b86d011b42d00cf4fc964ff', '{6f9619ff-8b86-d011-b42d-00cf4fc964ff}'], ['6f9619ff-8b86', 'zz9619ff-8b86-d011-b42d-00cf4fc964ff']],
    ['datetime', ['2024-01-31', '2024-01-31T10:00:00Z'], ['not-a-date']],
    ['min(10)', ['10', '99'], ['9', 'ten']],
    ['max(10)', ['10', '-5'], ['11']],
    ['range(1,3)', ['1', '3'], ['0', '4']],
    ['minlength(3)', ['abc'], ['ab']],
    ['maxlength(3)', ['abc'], ['abcd']],
    ['length(2)', ['ab'], ['a', 'abc']],
    ['length(2,3)', ['ab', 'abc'], ['a', 'abcd']],
    ['regex(^ab(c|d)$)', ['abc', 'ABD'], ['abe', 'xabc']],
    ['int:min(5)', ['5'], ['4', 'x']],
  ];
  for (const [constraint, good, bad] of cases) {
    it(`checks {x:${constraint}}`, () => {
      const route = compileRoute(`v/{x:${constraint}}`);
      for (const value of good) assert.deepEqual(matchRoute(route, `v/${encodeURIComponent(value)}`), { x: value }, `${value} should match`);
      for (const value of bad) assert.equal(matchRoute(route, `v/${encodeURIComponent(value)}`), null, `${value} should not match`);
    });
  }

  it('never matches a constraint with an invalid regex, and lets unknown constraints through', () => {
    assert.equal(match('v/{x:regex(()}', 'v/a'), null);
    assert.deepEqual(match('v/{x:custom}', 'v/a'), { x: 'a' });
  });
});
