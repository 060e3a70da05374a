/** Exhaustiveness guard for `switch` over `as const` unions: adding a member breaks the build here. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
