// The sample service's data access. Scenarios override parts of it per app version
// (old / dual-write / read-new / new-only), so old and new code really coexist in a deploy.
import type pg from 'pg';

export interface User {
  id: number;
  email: string;
  full_name: string;
  balance: number;
  created_at: string;
}

export interface Order {
  id: number;
  user_id: number;
  amount_cents: number;
  status: string;
  created_at: string;
}

export type Db = Pick<pg.Pool, 'query'>;

export interface DataAccess {
  getUser(db: Db, id: number): Promise<User | null>;
  findUserByEmail(db: Db, email: string): Promise<User | null>;
  updateBalance(db: Db, id: number, delta: number): Promise<User | null>;
  createUser(db: Db, input: { email: string; fullName: string; balance: number }): Promise<User>;
  createOrder(db: Db, input: { userId: number; amountCents: number }): Promise<Order | null>;
  listOrders(db: Db, userId: number, limit: number): Promise<Order[]>;
}

/** Version-independent queries, written against the baseline schema (users.balance int). */
export const baselineDataAccess: DataAccess = {
  async getUser(db, id) {
    const r = await db.query<User>('SELECT id, email, full_name, balance, created_at FROM users WHERE id = $1', [id]);
    return r.rows[0] ?? null;
  },
  async findUserByEmail(db, email) {
    const r = await db.query<User>('SELECT id, email, full_name, balance, created_at FROM users WHERE email = $1', [email]);
    return r.rows[0] ?? null;
  },
  async updateBalance(db, id, delta) {
    const r = await db.query<User>(
      'UPDATE users SET balance = balance + $2, updated_at = now() WHERE id = $1 RETURNING id, email, full_name, balance, created_at',
      [id, delta],
    );
    return r.rows[0] ?? null;
  },
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(
      'INSERT INTO users (email, full_name, balance) VALUES ($1, $2, $3) RETURNING id, email, full_name, balance, created_at',
      [email, fullName, balance],
    );
    return r.rows[0]!;
  },
  async createOrder(db, { userId, amountCents }) {
    // The FK check takes FOR KEY SHARE on the user row, so this write feels locks on users too.
    const r = await db.query<Order>(
      "INSERT INTO orders (user_id, amount_cents, status, created_at) VALUES ($1, $2, 'pending', now()) RETURNING id, user_id, amount_cents, status, created_at",
      [userId, amountCents],
    );
    return r.rows[0] ?? null;
  },
  async listOrders(db, userId, limit) {
    const r = await db.query<Order>(
      'SELECT id, user_id, amount_cents, status, created_at FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2',
      [userId, limit],
    );
    return r.rows;
  },
};

export const withOverrides = (overrides: Partial<DataAccess> = {}): DataAccess => ({ ...baselineDataAccess, ...overrides });
