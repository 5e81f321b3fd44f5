// What a cart line says about its stock (the states: api/services/cart/stock-state.ts). A line over
// its max because of the per-customer limit rather than the stock says so: 库存不足 would be untrue.
import type { CartItem } from './shop.ts';
import type { StockState } from '../../api/services/cart/stock-state.ts';

type Line = Pick<CartItem, 'stock' | 'max'>;

export const STOCK_STATE_TEXT: Record<StockState, (line: Line) => string> = {
  ok: () => '',
  low: (l) => `仅剩 ${l.stock} 件`,
  short: (l) => (l.max === 0 ? '库存不足，暂时无货' : l.max < l.stock ? `超出限购，每人限购 ${l.max} 件` : `库存不足，仅剩 ${l.stock} 件`),
  off_sale: () => '已下架',
};
