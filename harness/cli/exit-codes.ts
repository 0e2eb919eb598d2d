// Exit codes CI can act on (like k6's typed exit codes): one meaning each.
export const EXIT = { ok: 0, error: 1, badInput: 2, budgetBreached: 3, stepFailed: 4, regressed: 5, interrupted: 130 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Several results in one invocation: the most serious wins. */
const SEVERITY: ExitCode[] = [EXIT.interrupted, EXIT.error, EXIT.badInput, EXIT.stepFailed, EXIT.budgetBreached, EXIT.regressed, EXIT.ok];
export const worstExit = (codes: ExitCode[]): ExitCode => SEVERITY.find((c) => codes.includes(c)) ?? EXIT.ok;
