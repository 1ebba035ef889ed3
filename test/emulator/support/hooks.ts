/** Root hooks: whatever a test leaves running or on disk is cleaned up at the end of the run. */
import { cleanupAll } from './emulatorProcess';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await cleanupAll();
  },
};
