/**
 * Limits on what one orchestrator episode may produce, shared by the worker (which checks them before it
 * sends a result) and the host (which checks them again where actions become history). Documented in
 * docs/http-api.md § Limits.
 */

/** New actions (activities, timers, sub-orchestrations, …) one episode may schedule. */
export const MAX_ACTIONS_PER_EPISODE = 100_000;
/** Actions one execution may schedule in all; each adds one or two history events. */
export const MAX_ACTIONS_PER_EXECUTION = 500_000;
/** Characters of JSON in one result the worker sends: an episode's (action inputs, output, custom status) or an activity's output. */
export const MAX_RESULT_CHARS = 64 * 1024 * 1024;
