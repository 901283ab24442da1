import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue';

describe('WorkQueue', () => {
  it('hands items out in order, each once however often it was added', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toEqual({ shutdown: false, item: 'a' });
    expect(await q.get()).toEqual({ shutdown: false, item: 'b' });
    expect(q.len()).toBe(0);
  });

  it('an item added while being processed is not handed to a second worker, and is queued again after done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    expect(first.item).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // waits for done: never two workers on one key
    q.done('a');
    expect(q.len()).toBe(1);
    expect((await q.get()).item).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('done on an item not added again does not queue it', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('a worker blocked in get wakes up when an item is added', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toEqual({ shutdown: false, item: 'x' });
  });

  it('several blocked workers each get a different item', async () => {
    const q = new WorkQueue<string>();
    const a = q.get();
    const b = q.get();
    q.add('1');
    q.add('2');
    expect([(await a).item, (await b).item]).toEqual(['1', '2']);
  });

  it('shutDown hands out what is queued, then tells workers to stop; adds after it are ignored', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(q.shuttingDown()).toBe(true);
    expect(await q.get()).toEqual({ shutdown: false, item: 'a' });
    expect(await q.get()).toEqual({ shutdown: true });
  });

  it('shutDown wakes workers blocked in get', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toEqual({ shutdown: true });
  });

  it('shutDownWithDrain waits for the items being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done('a');
    await drain;
    expect(drained).toBe(true);
  });
});
