/** The door checks of JSON payloads (depth, overflowing numbers) and replies that carry stored JSON text as it is. */
import * as assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, jsonTextProblem } from '../../emulator/host/jsonLimits';
import { RawJson, storedJson, stringifyWithRaw } from '../../emulator/host/rawJson';

const nest = (levels: number, open = '[', close = ']') => open.repeat(levels) + close.repeat(levels);

describe('jsonTextProblem', () => {
  it('accepts nesting up to the limit and refuses one level more, for arrays and objects alike', () => {
    assert.equal(jsonTextProblem(nest(MAX_JSON_DEPTH)), null);
    assert.match(jsonTextProblem(nest(MAX_JSON_DEPTH + 1)) ?? '', /deeper than 64 levels/);
    const objects = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    assert.match(jsonTextProblem(objects) ?? '', /deeper than 64 levels/);
    assert.equal(jsonTextProblem(`[${nest(3)},${nest(3)}]`, 4), null, 'siblings do not add up');
  });

  it('ignores brackets, quotes and numbers inside strings, escaped quotes included', () => {
    assert.equal(jsonTextProblem(JSON.stringify({ s: nest(500), t: '1e400', u: 'a\\"[[[', v: '\\\\' })), null);
    assert.equal(jsonTextProblem('"\\\\"'), null);
    assert.match(jsonTextProblem('["\\\\", 1e400]') ?? '', /1e400 is too large for JSON/, 'an escaped backslash ends the string before the number');
  });

  it('refuses numbers that overflow to Infinity, and only those', () => {
    for (const text of ['1e400', '-1e309', '[1,2,1E999]', '{"a":{"b":17976931348623159e292}}']) {
      assert.match(jsonTextProblem(text) ?? '', /too large for JSON/, text);
    }
    for (const text of ['1e308', '-1.7976931348623157e308', '1e-400', '0', '-0.5', '[12345678901234567890]']) {
      assert.equal(jsonTextProblem(text), null, text);
    }
  });
});

describe('stringifyWithRaw', () => {
  it('writes stored JSON text as it is, even when too deep for JSON.stringify', () => {
    const deep = nest(10_000);
    const text = stringifyWithRaw({ a: 1, input: storedJson(deep), list: [storedJson('{"x": 2}'), null] });
    assert.equal(text, `{"a":1,"input":${deep},"list":[{"x": 2},null]}`);
  });

  it('keeps text that is not JSON as a string, and cannot be fooled by a value that looks like its placeholders', () => {
    assert.equal(storedJson('not json'), 'not json');
    assert.equal(storedJson(null), null);
    assert.ok(storedJson('[1]') instanceof RawJson);
    const sneaky = { s: 'raw-0000000000000000-0', r: storedJson('[1]') };
    assert.deepEqual(JSON.parse(stringifyWithRaw(sneaky)), { s: 'raw-0000000000000000-0', r: [1] });
    assert.equal(stringifyWithRaw(storedJson('"top"')), '"top"');
    assert.equal(stringifyWithRaw({ plain: true }), '{"plain":true}');
  });
});
