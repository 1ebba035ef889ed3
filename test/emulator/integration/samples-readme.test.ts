/**
 * Every command in the samples' READMEs, run as documented: the start commands (`npm start -- --app
 * samples/X`, `npm run emulator -- ... --build`) become the emulator under test, on a free port with a
 * temporary data folder; the other commands run in one bash session per README against it. Each exits 0
 * (curl fails on an HTTP error status), and every instance they started ends Completed or Terminated.
 * Substituted: port 7071 (the emulator's), other localhost ports (free ones, also in the app's settings
 * through the environment, which wins over local.settings.json), `<id>` (the instance the README's last
 * start returned) and the placeholders a README tells the reader to take from the log.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, tempDir } from '../support/emulatorProcess';
import { getStatus, waitFor } from '../support/httpClient';
import { Background, Shell, canConnect, freePort, readmeCommands } from './readme-commands';

const SAMPLES = path.join(REPO, 'samples');
const EMULATOR_PORT = '7071';

/** Values a README tells the reader to copy from the emulator's log. */
const FROM_LOG: Record<string, { placeholder: RegExp; line: RegExp }[]> = {
  'phone-verification': [{ placeholder: /'4821'/g, line: /Sending verification code (\d+)/ }],
};

const isStart = (command: string) => /^npm (start|run emulator)\b/.test(command);
const isServer = (command: string) => /\.listen\(\d+/.test(command);

for (const sample of fs.readdirSync(SAMPLES).filter((name) => fs.existsSync(path.join(SAMPLES, name, 'README.md')))) {
  describe(`samples/${sample}/README.md commands`, () => {
    const background: Background[] = [];
    let shell: Shell | undefined;
    after(async function () {
      this.timeout(60_000);
      await shell?.close();
      await Promise.all(background.map((b) => b.stop()));
    });

    it('all run and succeed against the emulator', async function () {
      this.timeout(240_000);
      const commands = readmeCommands(fs.readFileSync(path.join(SAMPLES, sample, 'README.md'), 'utf8'));
      assert.ok(commands.some(isStart), 'the README says how to start the sample');
      // Every localhost port but the emulator's gets a free one, in the commands and in the app's settings.
      const ports = new Map<string, string>();
      for (const command of commands) {
        for (const [, port] of command.matchAll(/(?:127\.0\.0\.1:|localhost:|\.listen\()(\d+)/g)) {
          if (port !== EMULATOR_PORT && !ports.has(port)) ports.set(port, String(await freePort()));
        }
      }
      const localSettings = JSON.parse(fs.readFileSync(path.join(SAMPLES, sample, 'local.settings.json'), 'utf8')).Values ?? {};
      const env: NodeJS.ProcessEnv = { ...process.env };
      const withPorts = (text: string) => [...ports].reduce((t, [from, to]) => t.replace(new RegExp(`\\b${from}\\b`, 'g'), to), text);
      for (const [key, value] of Object.entries<string>(localSettings)) if (withPorts(value) !== value) env[key] = withPorts(value);

      let emulator: { proc: Background; port: string } | undefined;
      let lastStarted: string | undefined;
      const instances = new Set<string>();
      shell = new Shell(REPO);
      for (const command of commands) {
        if (isStart(command)) {
          await emulator?.proc.stop();
          const proc = new Background(`${command} --port 0 --data ${tempDir()}`, REPO, env);
          background.push(proc);
          const ready = await waitFor(() => {
            if (proc.exited) throw new Error(`'${command}' exited: ${proc.output.join('\n')}`);
            const line = proc.output.find((l) => l.startsWith('{"event":"ready"'));
            return line ? (JSON.parse(line) as { http: string }) : undefined;
          }, `'${command}' to print its ready line`, 120_000);
          emulator = { proc, port: new URL(ready.http).port };
          continue;
        }
        if (isServer(command)) {
          const port = Number(withPorts(/\.listen\((\d+)/.exec(command)![1]));
          background.push(new Background(withPorts(command), REPO, env));
          await waitFor(() => canConnect(port), `'${command}' to listen on ${port}`);
          continue;
        }
        let line = withPorts(command);
        if (emulator) line = line.replace(new RegExp(`\\b${EMULATOR_PORT}\\b`, 'g'), emulator.port);
        if (lastStarted) line = line.replace(/<id>/g, lastStarted);
        for (const { placeholder, line: logLine } of FROM_LOG[sample] ?? []) {
          if (!placeholder.test(line)) continue;
          const logs = emulator?.proc.output ?? [];
          const value = await waitFor(() => logs.map((l) => logLine.exec(l)?.[1]).find(Boolean), `a log line matching ${logLine}`);
          line = line.replace(placeholder, `'${value}'`);
        }
        const { code, output } = await shell.run(line);
        assert.equal(code, 0, `'${line}' exited with ${code}:\n${output}`);
        for (const json of output.split('\n').filter((l) => l.startsWith('{'))) {
          const body = JSON.parse(json) as { id?: string; statusQueryGetUri?: string; instanceId?: string };
          if (body.id && body.statusQueryGetUri) lastStarted = body.id;
          const id = body.id ?? body.instanceId;
          if (id) instances.add(id);
        }
      }
      assert.ok(emulator, 'an emulator was started');
      const base = `http://127.0.0.1:${emulator.port}`;
      assert.ok(instances.size > 0, 'the README started at least one instance');
      for (const id of instances) {
        const status = await waitFor(async () => {
          const s = await getStatus(base, id);
          return ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) && s;
        }, `instance ${id} to finish`, 120_000);
        assert.notEqual(status.runtimeStatus, 'Failed', `instance ${id} failed: ${JSON.stringify(status.output)}`);
      }
    });
  });
}
