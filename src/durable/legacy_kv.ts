/**
 * Objects that kept their state through the Durable Object key-value API before
 * they had tables hand it over once, on start: the values under `prefix` are given
 * to `move` (which writes them into the object's tables) and deleted in the same
 * transaction, so a crash half-way leaves either the old keys or the new rows.
 */
export function moveLegacyKv(storage: DurableObjectStorage, prefix: string, move: (key: string, value: unknown) => void): number {
  return storage.transactionSync(() => {
    const old = [...storage.kv.list({ prefix })];
    for (const [k, v] of old) {
      move(k, v);
      storage.kv.delete(k);
    }
    return old.length;
  });
}
