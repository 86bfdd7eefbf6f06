/**
 * The differential queries: each runs on paymo-sql (pushdown on and off) and on a real PostgreSQL
 * 15 holding the same data (see harness.ts), and the answers must agree under the rules of
 * compare.ts. `ordered(sql)` marks a query whose top-level ORDER BY fully determines the row order
 * (every ORDER BY ends in a unique key); every other query is compared as a multiset of rows.
 *
 * The data is the simulator's demo agency (seed and clock fixed in harness.ts): clients, projects,
 * tasks, ~20 000 time entries, invoices with line items and payments, expenses, bookings, …
 */

import type { TextResult } from './harness.js';

/** One differential query. */
export interface DiffQuery {
  readonly sql: string;
  /** True when the top-level ORDER BY fully determines the order: rows are compared in order. */
  readonly ordered: boolean;
  /** True when PostgreSQL rejects the query: paymo-sql must fail with the same SQLSTATE. */
  readonly fails?: boolean;
}

/** A query compared in order (its ORDER BY ends in a unique key). */
function ordered(sql: string): DiffQuery {
  return { sql, ordered: true };
}

/** A query compared as a multiset of rows. */
function rows(sql: string): DiffQuery {
  return { sql, ordered: false };
}

/** A query PostgreSQL rejects: paymo-sql must reject it with the same SQLSTATE. */
function fails(sql: string): DiffQuery {
  return { sql, ordered: false, fails: true };
}

/** The queries, grouped by theme. */
export const QUERIES: Record<string, readonly DiffQuery[]> = {
  joins: [
    rows('SELECT p.name, c.name AS client FROM projects p JOIN clients c ON c.id = p.client_id'),
    rows(
      'SELECT t.code, tl.name AS list, p.name AS project FROM tasks t JOIN task_lists tl ON tl.id = t.tasklist_id JOIN projects p ON p.id = tl.project_id WHERE t.priority = 100',
    ),
    rows(
      'SELECT c.name, p.id AS project_id FROM clients c LEFT JOIN projects p ON p.client_id = c.id AND p.active',
    ),
    rows(
      'SELECT u.name, count(te.id) AS entries FROM users u LEFT JOIN time_entries te ON te.user_id = u.id GROUP BY u.name',
    ),
    rows(
      'SELECT m.name, tl.name AS list FROM task_lists tl RIGHT JOIN milestones m ON m.id = tl.milestone_id WHERE m.project_id < 10010',
    ),
    rows(
      'SELECT ps.name, p.name AS project FROM projects p FULL JOIN project_statuses ps ON ps.id = p.status_id AND p.billable',
    ),
    rows(
      "SELECT w.name AS workflow, s.name AS status FROM workflows w CROSS JOIN project_statuses s WHERE s.name LIKE 'A%'",
    ),
    rows(
      'SELECT i.number, ip.amount FROM invoices i JOIN invoice_payments ip ON ip.invoice_id = i.id WHERE i.client_id = 3004',
    ),
    rows(
      "SELECT e.number, li.item, li.quantity, li.price_unit FROM estimates e JOIN estimate_line_items li ON li.estimate_id = e.id WHERE e.status = 'accepted'",
    ),
    rows(
      'SELECT ta.id, u.name, t.name AS task FROM task_assignments ta JOIN users u ON u.id = ta.user_id JOIN tasks t ON t.id = ta.task_id WHERE t.project_id = 10004',
    ),
    rows('SELECT id, a.name, u.email FROM clients a FULL JOIN users u USING (id)'),
    rows(
      'SELECT b.id, b.hours_per_day, u.name FROM bookings b JOIN task_assignments ta ON ta.id = b.user_task_id JOIN users u ON u.id = ta.user_id',
    ),
    rows(
      'SELECT x.client_id, c.name FROM (SELECT DISTINCT client_id FROM invoices) x JOIN clients c ON c.id = x.client_id',
    ),
    rows(
      'SELECT c.name, cc.name AS contact, cc.is_main FROM clients c JOIN client_contacts cc ON cc.client_id = c.id',
    ),
    rows(
      'SELECT d.name, count(dc.id) AS comments FROM discussions d LEFT JOIN discussion_comments dc ON dc.discussion_id = d.id GROUP BY d.id, d.name',
    ),
    rows(
      'SELECT s.name, t.code, u.name AS done_by FROM subtasks s JOIN tasks t ON t.id = s.task_id LEFT JOIN users u ON u.id = s.completed_by WHERE t.project_id = 10002',
    ),
    rows(
      'SELECT p.name, ws.name AS status, count(*) FROM tasks t JOIN projects p ON p.id = t.project_id JOIN workflow_statuses ws ON ws.id = t.status_id GROUP BY p.name, ws.name',
    ),
    rows('SELECT a.id, b.id FROM project_statuses a JOIN project_statuses b ON a.seq + 1 = b.seq'),
    rows(
      'SELECT e.id, li.item FROM expenses e LEFT JOIN invoice_line_items li ON li.id = e.invoice_item_id WHERE e.client_id = 3002',
    ),
    rows(
      'SELECT f.original_filename, t.code FROM files f LEFT JOIN tasks t ON t.id = f.task_id WHERE f.project_id IS NOT NULL',
    ),
    rows('SELECT i.number, it.name FROM invoices i LEFT JOIN invoice_templates it ON it.id = i.template_id'),
    rows(
      'SELECT ct.id, d.name, t.code FROM comment_threads ct LEFT JOIN discussions d ON d.id = ct.discussion_id LEFT JOIN tasks t ON t.id = ct.task_id',
    ),
    rows('SELECT p.name FROM projects p JOIN clients c USING (id)'),
    rows(
      'SELECT tc.id, tc.task_id FROM task_comments tc JOIN tasks t ON t.id = tc.task_id AND t.project_id <> tc.project_id',
    ),
    rows('SELECT e.id FROM expenses e LEFT JOIN projects p ON p.id = e.project_id WHERE p.id IS NULL'),
    rows(
      'SELECT p.name, count(e.id) FROM projects p RIGHT JOIN expenses e ON e.project_id = p.id GROUP BY p.name',
    ),
    rows(
      'SELECT c.id, p.id FROM clients c FULL JOIN projects p ON p.client_id = c.id AND p.active WHERE c.city IS NULL',
    ),
  ],

  aggregates: [
    rows(
      'SELECT count(*), count(date), count(start_time), count(DISTINCT user_id), count(DISTINCT description) FROM time_entries',
    ),
    rows('SELECT sum(duration), min(duration), max(duration), avg(duration) FROM time_entries'),
    rows('SELECT sum(total), avg(total), min(total), max(total) FROM invoices'),
    rows('SELECT min(date), max(date), min(start_time), max(end_time) FROM time_entries'),
    rows("SELECT string_agg(name, ', ' ORDER BY name) FROM project_statuses"),
    rows('SELECT array_agg(id ORDER BY id) FROM users WHERE active'),
    rows('SELECT bool_and(active), bool_or(active), bool_and(billable), bool_or(NOT billable) FROM projects'),
    rows(
      "SELECT count(*) FILTER (WHERE status = 'paid') AS paid, sum(total) FILTER (WHERE status = 'paid') AS paid_total, count(*) FILTER (WHERE outstanding IS NOT NULL) AS open FROM invoices",
    ),
    rows('SELECT count(DISTINCT client_id), count(DISTINCT status), count(DISTINCT currency) FROM invoices'),
    rows('SELECT sum(quantity * price_unit) FROM invoice_line_items'),
    rows('SELECT count(*), sum(duration), max(id) FROM time_entries WHERE false'),
    rows('SELECT min(name), max(name) FROM clients'),
    rows('SELECT sum(size), avg(size), max(size) FROM files'),
    rows("SELECT string_agg(DISTINCT mime, '|' ORDER BY mime) FROM files"),
    rows('SELECT array_agg(DISTINCT priority ORDER BY priority) FROM tasks'),
    rows('SELECT count(budget_hours), sum(budget_hours), avg(budget_hours) FROM tasks'),
    rows(
      'SELECT count(*) FILTER (WHERE is_bulk), sum(duration) FILTER (WHERE NOT is_bulk) FROM time_entries',
    ),
    rows('SELECT max(hours_per_day), min(start_date), max(end_date) FROM bookings'),
    rows("SELECT string_agg(name, ',') FILTER (WHERE false) FROM users"),
    rows(
      'SELECT bool_and(complete) FILTER (WHERE completed_on IS NOT NULL) AS all_done, bool_or(complete) FILTER (WHERE completed_on IS NULL) AS any_done FROM tasks',
    ),
  ],

  group_by: [
    rows('SELECT status, count(*), sum(total) FROM invoices GROUP BY status'),
    rows('SELECT client_id, currency, count(*) FROM invoices GROUP BY client_id, currency'),
    rows(
      'SELECT project_id, sum(duration) / 3600 AS hours FROM time_entries GROUP BY project_id HAVING sum(duration) > 360000',
    ),
    rows('SELECT user_id, count(*) FROM time_entries GROUP BY 1 HAVING count(*) > 2000'),
    rows(
      'SELECT description, count(*) AS n FROM time_entries GROUP BY description HAVING count(DISTINCT user_id) >= 5',
    ),
    rows('SELECT priority, complete, count(*) FROM tasks GROUP BY priority, complete'),
    rows('SELECT project_id IS NULL AS no_project, count(*) FROM expenses GROUP BY project_id IS NULL'),
    rows(
      'SELECT tasklist_id, count(*) FROM tasks GROUP BY tasklist_id HAVING max(priority) = 100 AND min(priority) < 50',
    ),
    rows(
      'SELECT invoice_id, count(*), sum(amount) FROM invoice_payments GROUP BY invoice_id HAVING count(*) > 1',
    ),
    rows(
      'SELECT active, billable, count(*), array_agg(id ORDER BY id) FROM projects GROUP BY active, billable',
    ),
    rows('SELECT count(*) FROM tasks HAVING count(*) > 5'),
    rows('SELECT mime, count(*), sum(size) FROM files GROUP BY mime'),
    rows(
      'SELECT user_id, count(DISTINCT project_id), count(DISTINCT task_id) FROM time_entries GROUP BY user_id',
    ),
  ],

  windows: [
    ordered(
      'SELECT id, client_id, total, row_number() OVER (PARTITION BY client_id ORDER BY total DESC, id) AS rn FROM invoices ORDER BY id',
    ),
    ordered(
      'SELECT id, total, rank() OVER (ORDER BY total DESC) AS r, dense_rank() OVER (ORDER BY total DESC) AS dr FROM invoices ORDER BY id',
    ),
    ordered(
      'SELECT id, priority, rank() OVER (PARTITION BY project_id ORDER BY priority) FROM tasks WHERE project_id = 10001 ORDER BY id',
    ),
    ordered(
      'SELECT id, date, total, lag(total) OVER (PARTITION BY client_id ORDER BY date, id) AS prev, lead(total) OVER (PARTITION BY client_id ORDER BY date, id) AS next FROM invoices ORDER BY id',
    ),
    ordered(
      "SELECT id, lag(total, 2, 0) OVER (ORDER BY id) AS lag2, lead(number, 1, 'none') OVER (ORDER BY id) FROM invoices ORDER BY id",
    ),
    ordered(
      'SELECT id, first_value(number) OVER (PARTITION BY client_id ORDER BY date, id) AS first_invoice FROM invoices ORDER BY id',
    ),
    ordered(
      'SELECT id, sum(total) OVER (PARTITION BY client_id ORDER BY date, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM invoices ORDER BY id',
    ),
    ordered(
      'SELECT id, avg(amount) OVER (ORDER BY date, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving_avg FROM invoice_payments ORDER BY id',
    ),
    ordered(
      'SELECT id, count(*) OVER (PARTITION BY client_id) AS per_client, sum(total) OVER () AS grand FROM invoices ORDER BY id',
    ),
    ordered(
      'SELECT id, min(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), max(amount) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) FROM expenses ORDER BY id',
    ),
    ordered(
      "SELECT user_id, d, hours, sum(hours) OVER (PARTITION BY user_id ORDER BY d) AS cumulative FROM (SELECT user_id, date_trunc('month', coalesce(start_time, date::timestamptz)) AS d, sum(duration) / 3600 AS hours FROM time_entries GROUP BY 1, 2) m ORDER BY user_id, d",
    ),
    ordered(
      'SELECT name, row_number() OVER (ORDER BY name, id) FROM tasks WHERE project_id = 10003 ORDER BY 2',
    ),
    ordered(
      'SELECT client_id, total, sum(total) OVER (PARTITION BY client_id ORDER BY total) FROM invoices WHERE client_id IN (3001, 3002) ORDER BY client_id, total, 3',
    ),
    rows(
      'SELECT * FROM (SELECT id, client_id, row_number() OVER (PARTITION BY client_id ORDER BY total DESC, id) AS rn FROM invoices) x WHERE rn <= 2',
    ),
    ordered(
      'SELECT id, first_value(amount) OVER (PARTITION BY user_id ORDER BY amount DESC, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS top FROM expenses WHERE user_id IS NOT NULL ORDER BY id',
    ),
    ordered(
      'SELECT project_id, count(*) AS n, rank() OVER (ORDER BY count(*) DESC) FROM tasks GROUP BY project_id ORDER BY project_id',
    ),
    ordered(
      'SELECT id, due_date, lag(due_date) OVER (PARTITION BY project_id ORDER BY due_date NULLS FIRST, id) FROM milestones ORDER BY id',
    ),
    ordered('SELECT id, dense_rank() OVER (PARTITION BY currency ORDER BY date) FROM expenses ORDER BY id'),
    ordered(
      'SELECT u.name, sum(te.duration) AS secs, rank() OVER (ORDER BY sum(te.duration) DESC) AS r FROM users u JOIN time_entries te ON te.user_id = u.id GROUP BY u.name ORDER BY r, u.name',
    ),
    rows(
      'SELECT id, sum(amount) OVER w, avg(amount) OVER w FROM expenses WINDOW w AS (PARTITION BY user_id ORDER BY id)',
    ),
    rows(
      'SELECT id, last_value(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING), nth_value(id, 2) OVER (ORDER BY id) FROM users',
    ),
  ],

  nulls: [
    rows('SELECT count(*) FROM tasks WHERE due_date IS NULL'),
    rows('SELECT count(*) FROM tasks WHERE due_date IS NOT NULL AND start_date IS NULL'),
    rows('SELECT count(*) FROM tasks WHERE budget_hours > 10 OR price_per_hour > 50'),
    rows('SELECT count(*) FROM tasks WHERE NOT (budget_hours > 10)'),
    rows('SELECT count(*) FROM tasks WHERE budget_hours = NULL'),
    rows('SELECT count(*) FROM tasks WHERE budget_hours IN (10, NULL)'),
    rows('SELECT count(*) FROM tasks WHERE budget_hours NOT IN (10, NULL)'),
    rows('SELECT count(*) FROM tasks WHERE budget_hours NOT IN (10, 20)'),
    rows('SELECT count(*) FROM tasks WHERE completed_by IS DISTINCT FROM user_id'),
    rows('SELECT count(*) FROM tasks WHERE completed_by IS NOT DISTINCT FROM user_id'),
    rows('SELECT NULL::int + 1, NULL = NULL, NULL IS NULL, true OR NULL, false AND NULL, NOT NULL::boolean'),
    rows('SELECT id, date IS NULL AND start_time IS NULL AS neither FROM time_entries WHERE id < 10000050'),
    rows('SELECT count(*) FROM expenses WHERE project_id = user_id OR notes IS NULL'),
    rows("SELECT count(*) FROM time_entries WHERE (date > '2026-01-01') IS NOT TRUE"),
    rows(
      'SELECT count(*), count(invoice_item_id), count(*) - count(invoice_item_id) AS unbilled FROM time_entries',
    ),
    rows('SELECT max(completed_on), min(completed_on) FROM tasks WHERE completed_on IS NULL'),
    rows('SELECT sum(budget_hours) FILTER (WHERE budget_hours IS NULL) FROM tasks'),
    rows('SELECT city IS NULL, country IS NULL, count(*) FROM clients GROUP BY 1, 2'),
    rows("SELECT count(*) FROM time_entries WHERE NOT (date > '2026-01-01') IS FALSE"),
    rows('SELECT count(*) FILTER (WHERE (budget_hours > 20) IS UNKNOWN) AS unknown FROM tasks'),
  ],

  conditionals: [
    rows(
      "SELECT id, CASE WHEN total >= 10000 THEN 'large' WHEN total >= 1000 THEN 'medium' ELSE 'small' END FROM invoices",
    ),
    rows("SELECT id, CASE status WHEN 'paid' THEN 1 WHEN 'void' THEN -1 END AS s FROM invoices"),
    rows('SELECT id, coalesce(budget_hours, 0) + 1, coalesce(price_per_hour, budget_hours, -1) FROM tasks'),
    rows("SELECT id, coalesce(city, country, '?') FROM clients"),
    rows(
      'SELECT id, nullif(priority, 50), nullif(tax, 0) FROM tasks, (SELECT 0 AS tax) x WHERE project_id = 10002',
    ),
    rows('SELECT id, greatest(start_date, due_date), least(start_date, due_date) FROM tasks'),
    rows('SELECT id, greatest(total, 1000), least(subtotal, total, 500) FROM invoices'),
    rows('SELECT greatest(1, NULL, 3), least(NULL::int, NULL), coalesce(NULL, NULL, 7)'),
    rows(
      "SELECT CASE WHEN date IS NULL THEN 'timer' ELSE 'bulk' END AS kind, count(*) FROM time_entries GROUP BY 1",
    ),
    rows('SELECT id, CASE WHEN budget_hours > 10 THEN true END FROM tasks'),
    rows(
      'SELECT sum(CASE WHEN billed THEN duration ELSE 0 END), sum(CASE WHEN NOT billed THEN duration END) FROM time_entries',
    ),
    rows("SELECT id, nullif(notes, '') IS NULL FROM expenses"),
  ],

  dates: [
    rows("SELECT date_trunc('month', start_time) AS m, count(*) FROM time_entries GROUP BY 1"),
    rows(
      "SELECT date_trunc('week', date) AS w, sum(duration) FROM time_entries WHERE date IS NOT NULL GROUP BY 1",
    ),
    rows(
      "SELECT date_trunc('day', created_on), date_trunc('hour', created_on), date_trunc('year', created_on) FROM projects",
    ),
    rows(
      'SELECT extract(year FROM date), extract(month FROM date), extract(day FROM date), extract(dow FROM date), extract(doy FROM date) FROM invoices',
    ),
    rows(
      'SELECT extract(hour FROM start_time), extract(minute FROM start_time), extract(epoch FROM start_time) FROM time_entries WHERE id < 10000100',
    ),
    rows(
      "SELECT date_part('year', date), date_part('quarter', date), date_part('isodow', date) FROM expenses",
    ),
    rows('SELECT id, due_date - date AS days FROM invoices'),
    rows('SELECT id, date + 30, date - 7 FROM invoices'),
    rows(
      "SELECT id, date + interval '1 month', start_time + interval '90 minutes' FROM time_entries WHERE id < 10000060",
    ),
    rows('SELECT id, end_time - start_time FROM time_entries WHERE id < 10000100'),
    rows('SELECT user_id, sum(end_time - start_time) FROM time_entries GROUP BY user_id'),
    rows("SELECT id, start_time - interval '1 day 2 hours' FROM time_entries WHERE id < 10000060"),
    rows("SELECT to_char(date, 'YYYY-MM') AS month, count(*) FROM invoices GROUP BY 1"),
    rows(
      "SELECT id, to_char(start_time, 'YYYY-MM-DD HH24:MI:SS'), to_char(start_time, 'DD/MM/YYYY HH12:MI AM') FROM time_entries WHERE id < 10000060",
    ),
    rows(
      "SELECT id, to_char(date, 'Mon YYYY'), to_char(date, 'Day'), to_char(date, 'FMDay DD Month') FROM invoices",
    ),
    rows(
      "SELECT id, to_char(created_on, 'IYYY-IW'), to_char(created_on, 'Q') FROM tasks WHERE project_id = 10005",
    ),
    rows("SELECT count(*) FROM time_entries WHERE start_time >= '2026-03-01' AND start_time < '2026-04-01'"),
    rows("SELECT count(*) FROM time_entries WHERE date BETWEEN '2026-01-01' AND '2026-01-31'"),
    rows("SELECT count(*) FROM invoices WHERE due_date < date '2026-06-01' - interval '3 months'"),
    rows('SELECT id, (due_date - date) / 7 AS weeks FROM invoices WHERE due_date > date'),
    rows('SELECT start_date, end_date, end_date - start_date + 1 AS days FROM bookings'),
    rows(
      'SELECT id, extract(epoch FROM end_time - start_time) / 60 AS minutes FROM time_entries WHERE id < 10000100',
    ),
    rows("SELECT date_trunc('quarter', date)::date AS q, sum(total) FROM invoices GROUP BY 1"),
    rows('SELECT id, completed_on::date - created_on::date FROM tasks WHERE completed_on IS NOT NULL'),
    rows(
      "SELECT interval '1 day' * 3, interval '2 hours' / 4, interval '1 month' + interval '1 day', date '2024-02-29' + interval '1 year'",
    ),
    rows("SELECT '2026-01-31'::date + interval '1 month', '2026-03-31'::timestamptz - interval '1 month'"),
    rows("SELECT interval '1.25 ms' AS a, interval '500 ms' AS b, interval '2 msec' AS c"),
    rows("SELECT interval '-1 day 2 hours' AS a, interval '1 day -3 hours' AS b"),
    rows('SELECT avg(end_time - start_time) AS a FROM time_entries'),
    rows(
      "SELECT to_char(date '2026-03-01', 'WW') AS ww, to_char(date '2026-03-01', 'ID') AS id, to_char(date '2026-03-01', 'J') AS j",
    ),
  ],

  arithmetic: [
    rows(
      'SELECT id, duration / 3600, duration % 3600, duration / 3600.0 FROM time_entries WHERE id < 10000100',
    ),
    rows('SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7 / 2.0, 2 ^ 10'),
    rows('SELECT id, round(total), round(total, 1), round(total / 3, 2), trunc(total / 7, 2) FROM invoices'),
    rows('SELECT id, ceil(amount), floor(amount), abs(amount - 500) FROM expenses'),
    rows('SELECT sum(duration) / count(*), sum(duration)::numeric / count(*) FROM time_entries'),
    rows('SELECT id, quantity * price_unit, round(quantity * price_unit, 2) FROM invoice_line_items'),
    rows('SELECT id, size / 1024, size / 1024 / 1024, round(size / 1048576.0, 1) FROM files'),
    rows('SELECT id, budget_hours * 60, budget_hours / 2 FROM tasks WHERE budget_hours IS NOT NULL'),
    rows('SELECT round(avg(total), 2), round(avg(duration)) FROM invoices, (SELECT 5 AS duration) x'),
    rows('SELECT id, priority / 3 * 3, priority * 1.5, -priority FROM tasks WHERE project_id = 10003'),
    rows('SELECT 1.0 / 3, 10::numeric / 4, 2.5::float8 * 2, round(2.5), round(-2.5), round(0.125, 2)'),
    rows('SELECT id, total - subtotal AS tax, tax_amount FROM invoices'),
    rows('SELECT power(2, 8), sqrt(16), sign(-4)'),
    rows('SELECT 2.5::float8::int AS a, 3.5::float8::int AS b, (-2.5)::float8::int AS c'),
  ],

  ordering: [
    ordered('SELECT id, due_date FROM tasks ORDER BY due_date NULLS FIRST, id'),
    ordered('SELECT id, due_date FROM tasks ORDER BY due_date DESC NULLS LAST, id'),
    ordered('SELECT id, due_date FROM tasks ORDER BY due_date DESC, id DESC'),
    ordered('SELECT id, budget_hours FROM tasks ORDER BY budget_hours, id LIMIT 20'),
    ordered('SELECT id, budget_hours FROM tasks ORDER BY budget_hours DESC, id LIMIT 20 OFFSET 5'),
    ordered('SELECT name, id FROM clients ORDER BY name'),
    ordered(
      'SELECT DISTINCT ON (client_id) client_id, id, total FROM invoices ORDER BY client_id, total DESC, id',
    ),
    ordered(
      'SELECT DISTINCT ON (user_id) user_id, id, start_time FROM time_entries WHERE start_time IS NOT NULL ORDER BY user_id, start_time DESC, id',
    ),
    rows('SELECT DISTINCT status, currency FROM invoices'),
    rows('SELECT DISTINCT priority FROM tasks'),
    ordered('SELECT id AS x, total AS y FROM invoices ORDER BY y DESC, x LIMIT 10'),
    ordered('SELECT id, name FROM users ORDER BY 2, 1'),
    ordered('SELECT id, city FROM clients ORDER BY city NULLS FIRST, id'),
    ordered(
      'SELECT id, completed_on FROM tasks WHERE project_id = 10004 ORDER BY completed_on DESC NULLS FIRST, id',
    ),
    ordered('SELECT id FROM time_entries ORDER BY id DESC LIMIT 5'),
    ordered('SELECT id, total FROM invoices ORDER BY total * -1, id LIMIT 7'),
    ordered('SELECT count(*) OVER () AS n, id FROM projects ORDER BY id OFFSET 35'),
    ordered("SELECT x FROM (VALUES ('ｚ'), ('😀'), ('z')) v(x) ORDER BY x"),
  ],

  set_operations: [
    rows('SELECT user_id FROM time_entries UNION SELECT user_id FROM expenses WHERE user_id IS NOT NULL'),
    rows('SELECT client_id FROM invoices UNION ALL SELECT client_id FROM estimates'),
    rows('SELECT client_id FROM invoices INTERSECT SELECT client_id FROM projects'),
    rows('SELECT id FROM clients EXCEPT SELECT client_id FROM invoices'),
    rows('SELECT priority FROM tasks INTERSECT ALL SELECT priority FROM tasks WHERE project_id = 10001'),
    rows('SELECT status_id FROM projects EXCEPT ALL SELECT id FROM project_statuses'),
    rows(
      "SELECT 'invoice' AS kind, date, total FROM invoices UNION ALL SELECT 'payment', date, amount FROM invoice_payments",
    ),
    ordered('SELECT id FROM users UNION SELECT id FROM clients ORDER BY id DESC LIMIT 10'),
    rows('SELECT name FROM project_statuses UNION SELECT name FROM workflow_statuses'),
    rows('SELECT NULL::int AS x UNION SELECT NULL UNION SELECT 1'),
  ],

  subqueries: [
    rows('SELECT id, total FROM invoices WHERE total > (SELECT avg(total) FROM invoices)'),
    rows("SELECT name FROM clients WHERE id IN (SELECT client_id FROM invoices WHERE status = 'void')"),
    rows('SELECT name FROM clients WHERE id NOT IN (SELECT client_id FROM projects WHERE active)'),
    rows(
      'SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM expenses e WHERE e.user_id = u.id AND e.amount > 1000)',
    ),
    rows('SELECT name FROM users u WHERE NOT EXISTS (SELECT 1 FROM time_entries te WHERE te.user_id = u.id)'),
    rows('SELECT p.name, (SELECT count(*) FROM tasks t WHERE t.project_id = p.id) AS tasks FROM projects p'),
    rows(
      'SELECT i.id, i.total, (SELECT sum(amount) FROM invoice_payments ip WHERE ip.invoice_id = i.id) AS paid FROM invoices i',
    ),
    rows(
      'SELECT id, total FROM invoices i WHERE total = (SELECT max(total) FROM invoices j WHERE j.client_id = i.client_id)',
    ),
    rows(
      'SELECT count(*) FROM tasks WHERE tasklist_id IN (SELECT id FROM task_lists WHERE milestone_id IS NOT NULL)',
    ),
    rows(
      'SELECT c, count(*) FROM (SELECT client_id, count(*) AS c FROM projects GROUP BY client_id) s GROUP BY c',
    ),
    rows(
      'SELECT (SELECT name FROM company), (SELECT count(*) FROM users), (SELECT max(id) FROM projects WHERE false)',
    ),
    rows(
      'SELECT id FROM tasks t WHERE t.budget_hours > ALL (SELECT budget_hours FROM tasks WHERE project_id = 10001 AND budget_hours IS NOT NULL)',
    ),
    rows('SELECT id FROM projects WHERE id = ANY (SELECT project_id FROM milestones WHERE complete)'),
    rows(
      'SELECT count(*) FROM task_lists WHERE milestone_id NOT IN (SELECT id FROM milestones WHERE NOT complete)',
    ),
    rows(
      'SELECT client_id, count(*) FROM invoices i GROUP BY client_id HAVING count(*) > (SELECT count(*) FROM projects p WHERE p.client_id = i.client_id)',
    ),
    rows(
      "SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.user_id = u.id AND t.priority = 100) OR u.type = 'Guest'",
    ),
    rows('SELECT t.id FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM time_entries te WHERE te.task_id = t.id)'),
    rows(
      'SELECT count(*) FROM time_entries te WHERE te.id < 10000300 AND te.duration > (SELECT avg(duration) FROM time_entries x WHERE x.user_id = te.user_id)',
    ),
    rows(
      "SELECT u.name, (SELECT string_agg(p.name, ', ' ORDER BY p.name) FROM projects p WHERE u.id = ANY (p.managers)) FROM users u",
    ),
  ],

  ctes: [
    rows(
      'WITH hours AS (SELECT project_id, sum(duration) / 3600.0 AS h FROM time_entries GROUP BY project_id) SELECT p.name, round(h, 1) FROM hours JOIN projects p ON p.id = hours.project_id',
    ),
    rows(
      'WITH paid AS (SELECT invoice_id, sum(amount) AS amt FROM invoice_payments GROUP BY invoice_id), inv AS (SELECT id, total FROM invoices) SELECT inv.id, inv.total - coalesce(paid.amt, 0) AS due FROM inv LEFT JOIN paid ON paid.invoice_id = inv.id',
    ),
    rows(
      'WITH t AS (SELECT user_id, count(*) AS n FROM task_assignments GROUP BY user_id) SELECT max(n), min(n), sum(n) FROM t',
    ),
    rows(
      'WITH b AS (SELECT task_id FROM time_entries WHERE is_bulk) SELECT count(*) FROM tasks WHERE id IN (SELECT task_id FROM b)',
    ),
    ordered(
      "WITH m AS (SELECT date_trunc('month', date)::date AS month, sum(total) AS revenue FROM invoices WHERE status <> 'void' GROUP BY 1) SELECT month, revenue, revenue - lag(revenue) OVER (ORDER BY month) AS delta FROM m ORDER BY month",
    ),
    rows('WITH x AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT a, a * 10 FROM x'),
    rows(
      'WITH a AS (SELECT client_id, sum(total) AS s FROM invoices GROUP BY 1), b AS (SELECT * FROM a WHERE s > 10000) SELECT count(*), sum(s) FROM b',
    ),
    rows(
      'WITH b AS (SELECT task_id FROM time_entries) SELECT count(*) FROM tasks WHERE complete AND id IN (SELECT task_id FROM b)',
    ),
    rows(
      'WITH p AS (SELECT id, code FROM projects WHERE active) SELECT code FROM p WHERE id IN (SELECT project_id FROM tasks WHERE priority = 100)',
    ),
  ],

  strings: [
    rows("SELECT name FROM clients WHERE name LIKE 'Umbrella%'"),
    rows("SELECT name FROM clients WHERE name ILIKE '%group%' OR name ILIKE '%LTD'"),
    rows("SELECT name FROM tasks WHERE name LIKE '_ix %'"),
    rows("SELECT count(*) FROM tasks WHERE name NOT LIKE '%e%'"),
    rows("SELECT name FROM users WHERE name LIKE '%é%' OR name ILIKE '%NOVÁK%'"),
    rows('SELECT name, lower(name), upper(name), length(name) FROM users'),
    rows('SELECT name, upper(name), length(name), lower(city) FROM clients'),
    rows('SELECT original_filename, length(original_filename), upper(original_filename) FROM files'),
    rows(
      "SELECT DISTINCT content, length(content), position('👍' IN content) FROM task_comments WHERE content LIKE '%👍%'",
    ),
    rows(
      'SELECT name, substring(name FROM 1 FOR 5), substr(name, 3), left(name, 3), right(name, 4) FROM users',
    ),
    rows(
      "SELECT number, split_part(number, '-', 2), split_part(number, '-', 3), replace(number, '#INV-', '') FROM invoices",
    ),
    rows(
      "SELECT name || ' (' || coalesce(city, 'n/a') || ')', concat(name, '/', city, '/', country), concat_ws(', ', city, country) FROM clients",
    ),
    rows(
      "SELECT trim('  x  '), ltrim('xxabc', 'x'), rtrim('abc  '), btrim('--a--', '-'), '[' || trim(both ' ' from '  y ') || ']'",
    ),
    rows(
      "SELECT code, strpos(code, '-'), reverse(code), repeat('ab', 2) FROM tasks WHERE project_id = 10006",
    ),
    rows("SELECT lpad(id::text, 8, '0'), rpad(name, 12, '.') FROM project_statuses"),
    rows('SELECT initcap(lower(name)), md5(name) FROM clients'),
    rows("SELECT name FROM users WHERE lower(name) = 'inès petrov' OR upper(name) = 'PEDRO ÓLAFSSON'"),
    rows("SELECT 'Zürich' ILIKE 'zür%', 'ÉCOLE' ILIKE 'école', 'a_b' LIKE 'a\\_b', 'a%b' LIKE 'a\\%%'"),
    rows("SELECT id::text || ':' || name, starts_with(name, 'Um') FROM clients"),
    rows("SELECT lower('İSTANBUL') AS a, lower('ΣΑΣ') AS b"),
    rows("SELECT substring('INV-2026-17' FROM '[0-9]+') AS s"),
  ],

  arrays_and_json: [
    rows('SELECT id, users, cardinality(users), users[1] FROM projects'),
    rows('SELECT id FROM projects WHERE 1003 = ANY (users)'),
    rows('SELECT id, name FROM users WHERE id = ANY (ARRAY[1001, 1003, 1005])'),
    rows('SELECT p.id, count(u.id) FROM projects p JOIN users u ON u.id = ANY (p.users) GROUP BY p.id'),
    rows('SELECT id, tags, array_length(tags, 1) FROM expenses WHERE cardinality(tags) > 1'),
    rows("SELECT id, info ->> 'type', info -> 'foo' FROM reports"),
    rows('SELECT id, unnest(linked_tasklists) FROM milestones'),
    rows("SELECT array_to_string(tags, ';'), array_position(tags, 'print') FROM expenses WHERE tags <> '{}'"),
    rows('SELECT \'{"é": 1, "bb": 2, "c": 3}\'::jsonb AS j'),
  ],

  pushdown_filters: [
    rows(
      "SELECT count(*) FROM time_entries WHERE start_time >= '2026-03-01 10:00' AND start_time < '2026-03-02'",
    ),
    rows(
      "SELECT count(*), sum(duration) FROM time_entries WHERE date >= '2026-03-01' AND date <= '2026-03-31'",
    ),
    rows("SELECT count(*) FROM time_entries WHERE end_time > '2026-11-01' OR date > '2026-11-01'"),
    rows(
      'SELECT count(*) FROM time_entries WHERE task_id IN (SELECT id FROM tasks WHERE project_id = 10004)',
    ),
    rows('SELECT id, duration FROM time_entries WHERE user_id = 1003 AND project_id IN (10001, 10002)'),
    rows('SELECT id, date, duration FROM time_entries WHERE id IN (10000005, 10000500, 10019999, 99)'),
    rows("SELECT id, name FROM tasks WHERE name LIKE 'Fix%'"),
    rows("SELECT id FROM tasks WHERE name = 'fix search' OR name = 'Fix search'"),
    rows("SELECT id, name FROM clients WHERE name = 'Café Olé SARL'"),
    rows("SELECT id FROM tasks WHERE complete AND due_date < '2026-01-01'"),
    rows("SELECT id, status FROM invoices WHERE status IN ('sent', 'viewed') OR total > 10000"),
    rows("SELECT id FROM invoices WHERE date > '2026-01-02' AND date <= '2026-02-01'"),
    rows("SELECT id FROM invoices WHERE status NOT IN ('paid', 'void')"),
    rows('SELECT count(*) FROM tasks WHERE priority <> 50'),
    rows("SELECT id FROM tasks WHERE name ILIKE '%api%' OR name LIKE '%SEO%'"),
    rows('SELECT id FROM projects WHERE client_id = 3004 AND active'),
    rows("SELECT id FROM tasks WHERE updated_on > timestamptz '2026-10-01 00:00:00+00'"),
    rows("SELECT id FROM bookings WHERE start_date <= '2026-12-01' AND end_date >= '2026-11-20'"),
    rows('SELECT id, original_filename FROM files WHERE project_id = 10003'),
    rows('SELECT id FROM comment_threads WHERE task_id IN (SELECT id FROM tasks WHERE project_id = 10001)'),
    rows('SELECT id, task_id FROM task_assignments WHERE user_id = 1002'),
    rows('SELECT id FROM tasks WHERE id = ANY (ARRAY[1000001, 1000400, 1000800, 1])'),
    rows('SELECT count(*) FROM tasks WHERE user_id IS NULL OR completed_by IS NULL'),
    rows(
      'SELECT te.id FROM time_entries te JOIN tasks t ON t.id = te.task_id WHERE t.priority = 100 AND t.project_id = 10002',
    ),
    ordered('SELECT id, name FROM tasks WHERE project_id = 10005 ORDER BY id LIMIT 3'),
    rows(
      'SELECT b.id FROM bookings b WHERE b.user_task_id IN (SELECT id FROM task_assignments WHERE user_id = 1004)',
    ),
    rows("SELECT id FROM expenses WHERE client_id = 3002 AND date >= '2026-06-01'"),
    rows('SELECT count(*) FROM discussion_comments WHERE project_id = 10007'),
    rows('SELECT count(*) FROM task_comments WHERE task_id IN (1000010, 1000020, 1000030)'),
    rows('SELECT count(*) FROM subtasks WHERE NOT complete AND task_id < 1000100'),
  ],

  casts_and_types: [
    rows(
      "SELECT 2.5::int, (-2.5)::int, '42'::int + 1, ' 7 '::int, '1.50'::numeric + 0, '2026-02-28'::date + 1",
    ),
    rows(
      'SELECT id::text, total::text, date::text, created_on::text, active::text FROM invoices, (SELECT true AS active) x',
    ),
    rows(
      "SELECT '2026-03-01 12:00:00+02'::timestamptz, '2026-03-01'::timestamptz, '2026-03-01 12:00'::timestamp",
    ),
    rows(
      'SELECT created_on::date, start_time::date, duration::numeric / 60 FROM time_entries WHERE id < 10000050',
    ),
    rows('SELECT 1 UNION SELECT 2.5'),
    rows('SELECT CASE WHEN true THEN 1 ELSE 2.5 END, coalesce(1::int, 2::bigint), greatest(1, 2.5)'),
    rows(
      'SELECT 0.1::float8 + 0.2::float8, 1 / 3::float8, 2.5::float8 * 2, round(2.5::float8), round(-2.5::float8), trunc(2.7::float8)',
    ),
    rows("SELECT ARRAY['a\"b', 'c\\d', 'e,f', 'NULL', '', ' x', NULL], ARRAY[1, NULL, 3]"),
    rows(
      'SELECT array_agg(start_time ORDER BY id), array_agg(date ORDER BY id), array_agg(city ORDER BY id) FROM time_entries, (SELECT NULL::text AS city) c WHERE id < 10000004',
    ),
    rows('SELECT \'{"a": [1, 2.5, null], "bb": {"z": true, "y": 1e3}, "c": "x"}\'::jsonb'),
    rows(
      "SELECT extract(week FROM date '2026-01-01'), extract(isoyear FROM date '2026-01-01'), extract(epoch FROM date '2026-01-01'), extract(day FROM interval '3 days 4 hours'), extract(epoch FROM interval '1 day')",
    ),
    rows(
      "SELECT date_trunc('week', timestamptz '2026-03-05 10:00+00'), interval '1 month' * 1.5, interval '1 day' / 3, max(end_time) - min(start_time) FROM time_entries",
    ),
    rows(
      "SELECT start_time + interval '0.5 seconds', max(end_time - start_time) FROM time_entries WHERE id < 10000100 GROUP BY 1",
    ),
    rows(
      'SELECT id, ntile(4) OVER (ORDER BY id), percent_rank() OVER (ORDER BY total), cume_dist() OVER (ORDER BY total) FROM invoices',
    ),
    rows('SELECT generate_series(1, 3), g FROM generate_series(10, 11) g'),
    rows("SELECT (SELECT id FROM users WHERE false) IS NULL, 3 = ANY ('{1,2,3}'::int[]), ARRAY[1, 2] || 3"),
    rows('SELECT 1.5::float8, 2.5::float8::int'),
  ],

  errors: [
    fails('SELECT 1 / 0'),
    fails('SELECT total / 0 FROM invoices'),
    fails('SELECT 2147483647::int + 1'),
    fails('SELECT 9223372036854775807::bigint + 1'),
    fails("SELECT 'abc'::int"),
    fails('SELECT nosuch FROM users'),
    fails('SELECT * FROM no_such_table'),
    fails('SELECT (SELECT id FROM users)'),
    fails('SELECT id, count(*) FROM users'),
    fails("SELECT '2026-02-30'::date"),
    fails('SELECT id FROM users u JOIN clients c ON c.id = u.id'),
    fails(
      'SELECT b.id FROM bookings b JOIN task_assignments ta ON ta.id = b.user_task_id JOIN users u USING (id)',
    ),
  ],

  analyst: [
    ordered(
      'SELECT c.name, sum(te.duration) / 3600 AS hours FROM time_entries te JOIN projects p ON p.id = te.project_id JOIN clients c ON c.id = p.client_id GROUP BY c.name ORDER BY hours DESC, c.name',
    ),
    ordered(
      "SELECT to_char(coalesce(te.start_time, te.date::timestamptz), 'YYYY-MM') AS month, round(sum(te.duration) / 3600.0, 1) AS hours FROM time_entries te GROUP BY 1 ORDER BY 1",
    ),
    rows(
      'SELECT u.name, round(100.0 * sum(te.duration) FILTER (WHERE t.billable) / sum(te.duration), 1) AS billable_pct FROM time_entries te JOIN tasks t ON t.id = te.task_id JOIN users u ON u.id = te.user_id GROUP BY u.name',
    ),
    rows(
      "SELECT c.name, sum(i.total) AS invoiced, count(*) FILTER (WHERE i.status = 'paid') AS paid FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.status <> 'void' GROUP BY c.name HAVING sum(i.total) > 20000",
    ),
    rows(
      "SELECT i.number, i.due_date, date '2026-11-15' - i.due_date AS days_overdue FROM invoices i WHERE i.status IN ('sent', 'viewed') AND i.due_date < date '2026-11-15'",
    ),
    rows(
      'SELECT p.name, p.budget_hours, round(sum(te.duration) / 3600.0, 2) AS spent FROM projects p JOIN time_entries te ON te.project_id = p.id WHERE p.budget_hours IS NOT NULL GROUP BY p.id, p.name, p.budget_hours HAVING sum(te.duration) / 3600.0 > p.budget_hours',
    ),
    ordered(
      'SELECT t.code, t.name, count(tc.id) AS comments FROM tasks t JOIN task_comments tc ON tc.task_id = t.id GROUP BY t.id, t.code, t.name ORDER BY comments DESC, t.id LIMIT 10',
    ),
    rows(
      'SELECT u.name, count(*) FILTER (WHERE t.complete) AS done, count(*) FILTER (WHERE NOT t.complete) AS open FROM task_assignments ta JOIN tasks t ON t.id = ta.task_id JOIN users u ON u.id = ta.user_id GROUP BY u.name',
    ),
    rows(
      'SELECT e.currency, e.notes, count(*), sum(e.amount), round(avg(e.amount), 2) FROM expenses e GROUP BY e.currency, e.notes',
    ),
    rows(
      'SELECT extract(isodow FROM start_time) AS dow, count(*), round(avg(duration) / 60.0, 1) AS avg_minutes FROM time_entries WHERE start_time IS NOT NULL GROUP BY 1',
    ),
    rows(
      'SELECT u.name, sum(b.hours_per_day * (b.end_date - b.start_date + 1)) AS booked_hours FROM bookings b JOIN task_assignments ta ON ta.id = b.user_task_id JOIN users u ON u.id = ta.user_id GROUP BY u.name',
    ),
    rows(
      'SELECT p.name, count(DISTINCT te.user_id) AS people, min(coalesce(te.date, te.start_time::date)) AS first_day, max(coalesce(te.date, te.start_time::date)) AS last_day FROM projects p JOIN time_entries te ON te.project_id = p.id GROUP BY p.name',
    ),
    rows(
      'SELECT i.id, i.total, coalesce(sum(ip.amount), 0) AS paid, i.total - coalesce(sum(ip.amount), 0) AS balance FROM invoices i LEFT JOIN invoice_payments ip ON ip.invoice_id = i.id GROUP BY i.id, i.total HAVING i.total - coalesce(sum(ip.amount), 0) > 0',
    ),
    rows(
      'SELECT ms.name, ms.due_date, count(t.id) AS tasks, count(t.id) FILTER (WHERE t.complete) AS done FROM milestones ms LEFT JOIN task_lists tl ON tl.milestone_id = ms.id LEFT JOIN tasks t ON t.tasklist_id = tl.id GROUP BY ms.id, ms.name, ms.due_date',
    ),
    ordered(
      'SELECT u.name, u.price_per_hour, round(sum(te.duration) / 3600.0 * u.price_per_hour, 2) AS value FROM users u JOIN time_entries te ON te.user_id = u.id WHERE u.price_per_hour IS NOT NULL GROUP BY u.id, u.name, u.price_per_hour ORDER BY value DESC, u.id',
    ),
    rows(
      "SELECT ws.name, count(*) FILTER (WHERE t.due_date < date '2026-11-15' AND NOT t.complete) AS late FROM tasks t JOIN workflow_statuses ws ON ws.id = t.status_id GROUP BY ws.name",
    ),
    rows(
      'SELECT date, sum(duration) FROM time_entries WHERE is_bulk GROUP BY date HAVING sum(duration) > 36000',
    ),
    rows(
      "SELECT client_id, count(*) FILTER (WHERE date >= '2026-01-01') * 100 / nullif(count(*), 0) AS pct_this_year FROM invoices GROUP BY client_id",
    ),
    rows(
      'SELECT extract(hour FROM start_time) AS h, count(*) FROM time_entries GROUP BY h HAVING count(*) > 100',
    ),
  ],
};

/** Every query with its theme, in file order. */
export function allQueries(): { theme: string; query: DiffQuery }[] {
  return Object.entries(QUERIES).flatMap(([theme, qs]) => qs.map((query) => ({ theme, query })));
}

/** A recorded answer: the text result, or `SQLSTATE message` when the statement fails. */
export type Answer = TextResult | { readonly error: string };

/**
 * Queries where paymo-sql (checked deterministic and fair) disagrees with PostgreSQL: engine bugs
 * and the engine's documented representation limits. The test asserts both answers are still
 * exactly these, so a fix fails the test: then move the query into QUERIES. `actual` is paymo-sql
 * with pushdown on; `actualPushdownOff` only when pushdown off answers differently. Each query
 * returns one row or a fully ordered result, so the recorded rows are deterministic.
 */
export interface KnownDifference {
  readonly theme: string;
  readonly sql: string;
  /** One line: what paymo-sql gets wrong. */
  readonly reason: string;
  /** PostgreSQL's answer. */
  readonly expected: Answer;
  /** paymo-sql's answer (pushdown on). */
  readonly actual: Answer;
  readonly actualPushdownOff?: Answer;
}

function one(names: string[], types: string[], row: (string | null)[]): TextResult {
  return { names, types, rows: [row] };
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    theme: 'arithmetic',
    sql: 'SELECT round(total, 2) AS r, total * 1.0 AS t, sum(total) OVER () AS s FROM invoices WHERE id = 80001',
    reason: 'numeric is an IEEE double without a display scale (src/catalog/types.ts): 4279.00 reads 4279',
    expected: one(['r', 't', 's'], ['numeric', 'numeric', 'numeric'], ['4279.00', '4279.0', '4279']),
    actual: one(['r', 't', 's'], ['numeric', 'numeric', 'numeric'], ['4279', '4279', '4279']),
  },
];
