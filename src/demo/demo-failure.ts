/** A step did not behave: what was expected, and the output that shows what happened instead. */
export class DemoFailure extends Error {
  readonly evidence: readonly string[];

  constructor(expected: string, evidence: readonly string[] = []) {
    super(expected);
    this.name = 'DemoFailure';
    this.evidence = evidence;
  }
}
