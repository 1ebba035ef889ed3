/**
 * Apps exactly as `func init` + `func new` (Core Tools) and the VS Code Azure Functions extension make them
 * (test/fixtures/apps/{func,vscode}-{ts,js}, provenance in each README.md): built with their own
 * `npm run build` through the CLI's --build, loaded with their package.json `main` (the VS Code projects'
 * braces, their src/index with enableHttpStream), and the template's orchestration run end to end through
 * the template's own HTTP starter.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../support/emulatorProcess';
import { request, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, removeAppCopies } from '../support/tempApp';

interface TemplateApp {
  fixture: string;
  /** The function name the template was instantiated with. */
  name: string;
}

const APPS: TemplateApp[] = [
  { fixture: 'func-ts', name: 'durableHello' },
  { fixture: 'func-js', name: 'durableHello' },
  { fixture: 'vscode-ts', name: 'durableHello1' },
  { fixture: 'vscode-js', name: 'durableHello1' },
];

describe('apps as the templates make them', function () {
  this.timeout(150_000);

  for (const { fixture, name } of APPS) {
    describe(fixture, () => {
      let app: string;
      let emu: RunningEmulator;
      let built: boolean;

      before(async () => {
        app = copyFixtureApp(fixture);
        built = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).scripts?.build !== undefined;
        emu = await startEmulator({ app, args: built ? ['--build'] : [], timeoutMs: 140_000 });
      });
      after(async () => {
        await emu?.stop();
        removeAppCopies(app);
      });

      it('builds with its own build script and loads every function its main names', async () => {
        if (built) assert.ok(fs.existsSync(path.join(app, 'dist', 'src', 'functions', `${name}.js`)), 'tsc wrote the function');
        await emu.waitForLog(new RegExp(`App loaded: .*${name}Orchestrator \\(orchestrator\\).*${name} \\(activity\\).*${name}HttpStart \\(http\\)`));
      });

      it("runs the template's orchestration from the template's HTTP starter", async () => {
        const reply = await request('POST', `${emu.http}/api/orchestrators/${name}Orchestrator`, 'from the test', { 'content-type': 'text/plain' });
        assert.equal(reply.status, 202, reply.text);
        assert.equal(reply.headers.get('location'), reply.json.statusQueryGetUri);
        const status = await waitForStatus(emu.http, reply.json.id, ['Completed', 'Failed']);
        assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status.output));
        assert.equal(status.input, 'from the test');
        assert.deepEqual(status.output, ['Hello, Tokyo', 'Hello, Seattle', 'Hello, Cairo']);
      });
    });
  }
});
