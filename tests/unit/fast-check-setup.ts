import fc from 'fast-check';

// Property tests explore random cases on every local run. CI runs a fixed seed so a submission
// is judged on the same cases that were run before it (set FC_SEED to replay a local failure).
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261205 : undefined;
const numRuns = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : undefined;
fc.configureGlobal({ ...(seed === undefined ? {} : { seed }), ...(numRuns === undefined ? {} : { numRuns }) });
