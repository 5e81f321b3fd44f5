import { describe, expect, it } from 'vitest';
import { staffInputs } from '../../api/routes/orders.ts';
import { checkCancelReason, checkShipment } from '../../api/services/orders/fulfilment.ts';

// The admin routes' inputs for shipping, cancelling and refunds accept exactly what the services
// accept (the services check again for the CLI): one set of bounds.

describe('staff inputs', () => {
  const shipments: [string, string][] = [
    ['顺丰速运', 'SF1234567890'],
    ['  中通 ', ' ZT-0001 '],
    ['', 'SF1234567890'],
    ['顺'.repeat(30), 'SF12'],
    ['顺'.repeat(31), 'SF12'],
    ['顺丰', 'SF1'],
    ['顺丰', 'S'.repeat(40)],
    ['顺丰', 'S'.repeat(41)],
    ['顺丰', 'SF 123'],
    ['顺丰', '顺丰123456'],
  ];
  it.each(shipments)('shipment %j %j: route and service agree', (company, tracking) => {
    const route = staffInputs.ship.safeParse({ express_company: company, tracking_no: tracking });
    let service: unknown = null;
    try {
      service = checkShipment({ expressCompany: company, trackingNo: tracking });
    } catch {
      service = null;
    }
    expect(route.success).toBe(service !== null);
    if (route.success) expect(service).toEqual({ expressCompany: route.data.express_company, trackingNo: route.data.tracking_no });
  });

  it.each(['缺货', '  ', '', 'x'.repeat(200), 'x'.repeat(201)])('cancel reason %j: route and service agree', (reason) => {
    const route = staffInputs.cancel.safeParse({ reason });
    const service = (() => {
      try {
        return checkCancelReason(reason);
      } catch {
        return null;
      }
    })();
    expect(route.success ? route.data.reason : null).toEqual(service);
  });

  it('refund list and settle', () => {
    expect(staffInputs.refundList.parse({})).toEqual({ page: 1, page_size: 20 });
    expect(staffInputs.refundList.parse({ state: 'failed', page: '2' })).toMatchObject({ state: 'failed', page: 2 });
    expect(staffInputs.refundList.safeParse({ state: 'lost' }).success).toBe(false);
    expect(staffInputs.refundSettle.safeParse({ note: ' ' }).success).toBe(false);
    expect(staffInputs.refundSettle.parse({ note: ' 银行转账 ' })).toEqual({ note: '银行转账' });
  });
});
