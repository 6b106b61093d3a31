// Stale-response protection: each request takes a ticket; only the newest ticket's answer is
// applied, so a slow analysis of an older edit never overwrites the result of a later one.

export class LatestOnly {
  private issued = 0;

  /** A ticket for a new request; every older ticket becomes stale. */
  begin(): number {
    this.issued += 1;
    return this.issued;
  }

  /** Whether the answer to `ticket` is still the one to apply. */
  isCurrent(ticket: number): boolean {
    return ticket === this.issued;
  }

  /** Makes every ticket issued so far stale (a new document was opened). */
  invalidate(): void {
    this.issued += 1;
  }
}
