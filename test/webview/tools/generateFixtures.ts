/**
 * Writes the generated entity fixture: `npx tsc -p . && node out/test/webview/tools/generateFixtures.js`.
 * (entity.json: entity calls, not in the scenario app yet; the 10,000-event history is generated in memory.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../support/fixtures';
import { entityFixture } from '../support/generate';

fs.mkdirSync(FIXTURES_DIR, { recursive: true });
const entity = entityFixture();
fs.writeFileSync(path.join(FIXTURES_DIR, 'entity.json'), JSON.stringify(entity, null, 1) + '\n');
console.log(`entity.json: ${entity.history.total} events`);
