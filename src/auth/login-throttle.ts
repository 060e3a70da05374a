/**
 * Slows down password guessing at the sign-in form: after `maxFailures` failed sign-ins of one login from one
 * address within `windowMs`, further attempts for that pair are refused until the window has passed. Keyed by the
 * pair, so a stranger cannot lock a user out from elsewhere; a success clears it. In memory, per process: a
 * restart forgets it (documented; several API processes each count on their own).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfterSeconds(login: string, address: string): number {
    const recent = this.recent(this.key(login, address));
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0] + this.windowMs - this.now()) / 1000));
  }

  /** Counts one failed attempt. */
  failed(login: string, address: string): void {
    const key = this.key(login, address);
    this.failures.set(key, [...this.recent(key), this.now()]);
    // Bounded: a flood of distinct logins cannot grow the map without end.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** Forgets the pair's failures (a successful sign-in). */
  succeeded(login: string, address: string): void {
    this.failures.delete(this.key(login, address));
  }

  private key(login: string, address: string): string {
    return `${login.toLowerCase()}\u0000${address}`;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
