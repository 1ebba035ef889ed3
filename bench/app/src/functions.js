// The benchmark app: the orchestrations bench/run.ts measures, written as a user would.
const df = require('durable-functions');

df.app.activity('SayHello', { handler: (name) => `Hello ${name}` });
df.app.activity('Echo', { handler: (value) => value });

df.app.orchestration('HelloSequence', function* (context) {
  const out = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield context.df.callActivity('SayHello', city));
  return out;
});

df.app.orchestration('FanOutFanIn', function* (context) {
  const n = context.df.getInput();
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(context.df.callActivity('Echo', i));
  const results = yield context.df.Task.all(tasks);
  return results.reduce((a, b) => a + b, 0);
});

df.app.orchestration('TimerOnly', function* (context) {
  const ms = context.df.getInput();
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms));
  return 'fired';
});

df.app.orchestration('LongSequence', function* (context) {
  const n = context.df.getInput();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += yield context.df.callActivity('Echo', i);
  return sum;
});

// Grows the history with a fan-out of `fan`, then runs `steps` activities one after the other: the
// episodes of that sequence each add a few events to a history of ~2 * fan events.
df.app.orchestration('GrowThenSequence', function* (context) {
  const { fan, steps } = context.df.getInput();
  const tasks = [];
  for (let i = 0; i < fan; i++) tasks.push(context.df.callActivity('Echo', i));
  yield context.df.Task.all(tasks);
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += yield context.df.callActivity('Echo', i);
  return sum;
});
