/**
 * Per-pod, per-cycle scratch space (framework.CycleState): PreFilter/PreScore write, Filter/Score
 * read. Preemption clones it to simulate removing victims without touching the real cycle.
 */
export class CycleState {
  private readonly data = new Map<string, { clone(): unknown } | unknown>();
  /** Plugins whose PreFilter said Skip: their Filter is not run this cycle. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore said Skip: their Score is not run this cycle. */
  readonly skipScorePlugins = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** A copy whose entries are cloned when they know how (`clone()`), shared otherwise. */
  clone(): CycleState {
    const copy = new CycleState();
    for (const name of this.skipFilterPlugins) copy.skipFilterPlugins.add(name);
    for (const name of this.skipScorePlugins) copy.skipScorePlugins.add(name);
    for (const [key, value] of this.data) {
      const cloneable = value as { clone?: () => unknown } | null;
      copy.data.set(key, cloneable && typeof cloneable.clone === 'function' ? cloneable.clone() : value);
    }
    return copy;
  }
}
