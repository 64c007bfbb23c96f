/** Single-quotes a string for bash. */
export function sh(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A word of a command printed for the user to paste: as it is when bash would read it so, else {@link sh}-quoted. */
export function shArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : sh(s);
}
