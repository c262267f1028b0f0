/** A step did not behave: what was expected, and the output that shows what happened instead. */
export class DemoFailure extends Error {
  readonly evidence: readonly string[];

  constructor(expected: string, evidence: readonly string[] = []) {
    super(expected);
    this.name = 'DemoFailure';
    this.evidence = evidence;
  }
}

/** `promise`, or a `DemoFailure` (`expected` within the deadline) once `ms` have passed. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, expected: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new DemoFailure(`${expected} within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
