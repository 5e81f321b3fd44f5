// The admin API's customers (api/routes/answers/admin.ts customer, customerDetail), as the console reads them.

export interface Customer {
  id: number;
  username: string;
  mobile: string;
  email: string | null;
  is_active: boolean;
  date_joined: string;
  last_active_at: string | null;
  orders_count: number;
}

export interface CustomerDetail extends Customer {
  email_active: boolean;
  addresses_count: number;
  default_address: { receiver: string; mobile: string; province: string; city: string; district: string; place: string } | null;
  total_paid: string;
  paid_orders_count: number;
  sessions_count: number;
  qq_bound: boolean;
}
