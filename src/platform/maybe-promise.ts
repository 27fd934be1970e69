/**
 * A value that is there at once on the common path and needs a round trip otherwise: a counter
 * in memory or in Redis, a credential cached or not. The hot path of every request (issue 15)
 * then pays a promise only when it waits for something.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)`, at once when `value` is there, else once it resolves. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
