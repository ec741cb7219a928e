import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in order across compactions, interleaved with pushes', () => {
    const q = new Fifo<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100 + round * 7; i++) {
        q.push(next);
        expected.push(next++);
      }
      const take = 80 + round * 5;
      for (let i = 0; i < take && expected.length > 0; i++) expect(q.shift()).toBe(expected.shift());
      expect(q.length).toBe(expected.length);
      expect(q.peek()).toBe(expected[0]);
    }
    expect(q.drain()).toEqual(expected);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('keeps undefined-free semantics for an empty queue', () => {
    const q = new Fifo<string>();
    expect(q.peek()).toBeUndefined();
    q.push('a');
    expect(q.shift()).toBe('a');
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });
});
