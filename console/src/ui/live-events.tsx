/** Filled in once @voltasis/sdk has events.stream(): keeps the screens live without a reload. */
export function LiveEvents() {
  return null;
}
