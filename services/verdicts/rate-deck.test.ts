import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RateDeck } from './rate-deck';

describe('rate deck', () => {
  it('reads the shipped example; the longest prefix wins; an unknown number costs 0', () => {
    const deck = RateDeck.parse(readFileSync(path.resolve(__dirname, '../../config/rate-deck.example.csv'), 'utf8'));
    expect(deck.price('+447012345678')).toBe(0.45);
    expect(deck.price('+447912345678')).toBe(0.08);
    expect(deck.price('+442079460000')).toBe(0.02);
    expect(deck.price('+882345678901')).toBe(2.5);
    expect(deck.price('+8613800000000')).toBe(0);
    expect(deck.price(undefined)).toBe(0);
  });

  it.each([
    ['a quoted field', '"44",0.02', /line 1: expected prefix,price_per_minute/],
    ['a third column', 'prefix,price\n44,0.02,GB', /line 2/],
    ['a price that is no number', '44,cheap', /line 1/],
    ['a prefix listed twice', '44,0.02\n44,0.03', /prefix 44 is listed twice/],
  ])('refuses %s, naming the line', (_what, text, why) => {
    expect(() => RateDeck.parse(text)).toThrow(why);
  });
});
