/**
 * The fixed suite of realistic questions for the request benchmark: SQL over the demo company
 * (DEFAULT_SEED, anchored at BENCH_NOW), each with the fewest Paymo requests we can argue for.
 *
 * How a minimum is argued (paymo-api.md): a list call returns every row matching its `where`, in
 * pages of at most 2,500 (`page_size`); Paymo cannot aggregate or count, so every row that feeds an
 * aggregate must be fetched; `include=` embeds parents (and children, up to 2,500 per type per
 * response) at no extra request; time entries need a task/project/user/client filter or a
 * `time_interval`. The minimum is computed from the generated data by the formula in the comment
 * above each question (so it stays right if the generator changes), never from what paymo-sql did.
 */
import type { Rec } from '../../src/simulator/types.js';

/** The anchor instant of the demo data: "today" is Sunday 2026-11-15, "this month" is November 2026. */
export const BENCH_NOW = new Date('2026-11-15T12:00:00Z');

/** Paymo's largest page. */
export const PAGE = 2500;

/** What a minimum formula may look at: the generated records by resource path. */
export interface Facts {
  /** Records of a resource path (`entries`, `tasks`, …). */
  rec(path: string): readonly Rec[];
}

/** One question of the suite. */
export interface Question {
  readonly id: string;
  readonly title: string;
  readonly sql: string;
  /** The fewest requests that answer it (see the comment above each question for the argument). */
  readonly minimum: (f: Facts) => number;
  /**
   * Extra requests the minimum needs without `include=`: one list (`id in (…)`, or a filtered list)
   * per related table the minimum embeds instead (users, tasks, projects, clients, invoice lines).
   */
  readonly parents: number;
}

/** Requests to list `n` rows: at least one, then one per 2,500. */
export const pages = (n: number): number => Math.max(1, Math.ceil(n / PAGE));

/** The day an entry counts for: its `date` (bulk entries) or the UTC day of its start. */
export const entryDay = (e: Rec): string =>
  (e.date as string | undefined) ?? String(e.start_time).slice(0, 10);

const ids = (rs: readonly Rec[]): Set<unknown> => new Set(rs.map((r) => r.id));

/** Entries whose day is in [from, to). */
const entriesBetween = (f: Facts, from: string, to: string): Rec[] =>
  f.rec('entries').filter((e) => entryDay(e) >= from && entryDay(e) < to);

/**
 * The suite: about twenty questions an agency owner asks every week. Date windows over time entries
 * use `spent_on` (the entry's day); the same questions in the form written before that column
 * existed (`start_time >= X OR date >= X`, `coalesce(date, start_time::date)`) follow at the end as
 * `…-old`, so the cost of that form stays visible.
 */
export const QUESTIONS: readonly Question[] = [
  {
    id: 'Q01',
    parents: 1,
    title: 'hours per project this month',
    sql: `select p.name as project, round(sum(e.duration) / 3600.0, 1) as hours
          from time_entries e join projects p on p.id = e.project_id
          where e.spent_on >= '2026-11-01'
          group by p.name order by hours desc, project`,
    // entries?where=time_interval in (Nov 1, Dec 1)&include=task.project.name: one page per 2,500 entries.
    minimum: (f) => pages(entriesBetween(f, '2026-11-01', '2026-12-01').length),
  },
  {
    id: 'Q02',
    parents: 1,
    title: 'unbilled hours per client (billable projects)',
    sql: `select c.name as client, round(sum(e.duration) / 3600.0, 1) as unbilled_hours
          from time_entries e join projects p on p.id = e.project_id join clients c on c.id = p.client_id
          where e.billed = false and p.billable = true
          group by c.name order by unbilled_hours desc, client`,
    // projects?where=billable=true&include=client (1) + entries?where=billed=false and project_id in (…) pages.
    minimum: (f) => {
      const billable = ids(f.rec('projects').filter((p) => p.billable === true));
      return (
        1 + pages(f.rec('entries').filter((e) => e.billed === false && billable.has(e.project_id)).length)
      );
    },
  },
  {
    id: 'Q03',
    parents: 1,
    title: 'overdue invoices',
    sql: `select i.number, c.name as client, i.due_date, i.outstanding
          from invoices i join clients c on c.id = i.client_id
          where i.status in ('sent', 'viewed') and i.due_date < '2026-11-15'
          order by i.due_date, i.number`,
    // invoices?where=status in ("sent","viewed") and due_date<"2026-11-15"&include=client: 1.
    minimum: () => 1,
  },
  {
    id: 'Q04',
    parents: 1,
    title: 'top 3 users per week, last 4 weeks',
    sql: `with w as (
            select date_trunc('week', coalesce(e.start_time, e.date::timestamptz)) as week, u.name,
                   sum(e.duration) / 3600.0 as hours
            from time_entries e join users u on u.id = e.user_id
            where e.spent_on >= '2026-10-19'
            group by 1, 2)
          select week, name, round(hours, 1) as hours, rnk
          from (select week, name, hours, rank() over (partition by week order by hours desc) as rnk from w) r
          where rnk <= 3 order by week, rnk, name`,
    // entries?where=time_interval in (Oct 19, Nov 16)&include=user.name: one page per 2,500 entries.
    minimum: (f) => pages(entriesBetween(f, '2026-10-19', '2026-11-16').length),
  },
  {
    id: 'Q05',
    parents: 1,
    title: 'open tasks of active projects without any time',
    sql: `select p.name as project, t.name as task
          from tasks t join projects p on p.id = t.project_id
          where p.active and not t.complete
            and not exists (select 1 from time_entries e where e.task_id = t.id)
          order by project, task`,
    // projects?where=active=true (1) + tasks?where=complete=false and project_id in (…)&include=entries
    // (children up to 2,500 per response: one request per 2,500 entries of those tasks).
    minimum: (f) => {
      const active = ids(f.rec('projects').filter((p) => p.active === true));
      const open = ids(f.rec('tasks').filter((t) => t.complete === false && active.has(t.project_id)));
      return 1 + pages(f.rec('entries').filter((e) => open.has(e.task_id)).length);
    },
  },
  {
    id: 'Q06',
    parents: 2,
    title: 'timers running now',
    sql: `select u.name as user_name, t.name as task, e.start_time
          from time_entries e join users u on u.id = e.user_id join tasks t on t.id = e.task_id
          where e.end_time is null and e.start_time >= '2026-11-14'
          order by e.start_time`,
    // entries?where=time_interval in (Nov 14, …) and end_time=null&include=user.name,task.name: 1.
    minimum: () => 1,
  },
  {
    id: 'Q07',
    parents: 0,
    title: "one user's hours per day this week",
    sql: `select e.spent_on as day, round(sum(e.duration) / 3600.0, 2) as hours
          from time_entries e
          where e.user_id = 1002 and e.spent_on >= '2026-11-09'
          group by 1 order by 1`,
    // entries?where=user_id=1002 and time_interval in (Nov 9, …): one page per 2,500.
    minimum: (f) =>
      pages(entriesBetween(f, '2026-11-09', '2999-01-01').filter((e) => e.user_id === 1002).length),
  },
  {
    id: 'Q08',
    parents: 0,
    title: 'budget burn of active projects with a budget',
    sql: `select p.name as project, p.budget_hours, round(sum(e.duration) / 3600.0, 1) as tracked,
                 round(100 * sum(e.duration) / 3600.0 / p.budget_hours) as pct
          from projects p join time_entries e on e.project_id = p.id
          where p.active and p.budget_hours is not null
          group by p.name, p.budget_hours order by pct desc, project`,
    // projects?where=active=true (1) + entries?where=project_id in (budgeted ids) pages.
    minimum: (f) => {
      const b = ids(f.rec('projects').filter((p) => p.active === true && p.budget_hours != null));
      return 1 + pages(f.rec('entries').filter((e) => b.has(e.project_id)).length);
    },
  },
  {
    id: 'Q09',
    parents: 0,
    title: 'invoiced per month this year',
    sql: `select to_char(i.date, 'YYYY-MM') as month, count(*) as invoices, sum(i.total) as total
          from invoices i
          where i.date >= '2026-01-01' and i.status <> 'void'
          group by 1 order by 1`,
    // invoices?where=date>="2026-01-01" and status!="void": 1.
    minimum: () => 1,
  },
  {
    id: 'Q10',
    parents: 1,
    title: 'outstanding amount per client',
    sql: `select c.name as client, sum(i.outstanding) as outstanding, count(*) as invoices
          from invoices i join clients c on c.id = i.client_id
          where i.status in ('sent', 'viewed')
          group by c.name order by outstanding desc, client`,
    // invoices?where=status in ("sent","viewed")&include=client.name: 1.
    minimum: () => 1,
  },
  {
    id: 'Q11',
    parents: 1,
    title: 'uninvoiced expenses per project this year',
    sql: `select p.name as project, sum(x.amount) as amount, count(*) as expenses
          from expenses x join projects p on p.id = x.project_id
          where x.invoiced = false and x.date >= '2026-01-01'
          group by p.name order by amount desc, project`,
    // expenses?where=invoiced=false and date>="2026-01-01"&include=project.name: 1.
    minimum: () => 1,
  },
  {
    id: 'Q12',
    parents: 1,
    title: 'open tasks due next week',
    sql: `select t.due_date, t.name as task, p.name as project
          from tasks t join projects p on p.id = t.project_id
          where t.complete = false and t.due_date between '2026-11-16' and '2026-11-22'
          order by t.due_date, task`,
    // tasks?where=complete=false and due_date>="2026-11-16" and due_date<="2026-11-22"&include=project.name: 1.
    minimum: () => 1,
  },
  {
    id: 'Q13',
    parents: 1,
    title: 'hours per task of one project (by name)',
    sql: `select t.name as task, round(sum(e.duration) / 3600.0, 1) as hours
          from projects p join tasks t on t.project_id = p.id join time_entries e on e.task_id = t.id
          where p.name = 'Pied SEO Audit'
          group by t.name order by hours desc, task`,
    // projects?where=name="Pied SEO Audit" (1) + entries?where=project_id=…&include=task.name pages.
    minimum: (f) => {
      const p = ids(f.rec('projects').filter((x) => x.name === 'Pied SEO Audit'));
      return 1 + pages(f.rec('entries').filter((e) => p.has(e.project_id)).length);
    },
  },
  {
    id: 'Q14',
    parents: 1,
    title: 'active clients without an active project',
    sql: `select c.name from clients c
          where c.active and not exists (select 1 from projects p where p.client_id = c.id and p.active)
          order by c.name`,
    // clients?where=active=true&include=projects (at most 2,500 projects per response): 1.
    minimum: (f) => pages(f.rec('projects').length),
  },
  {
    id: 'Q15',
    parents: 1,
    title: 'time entries of one task with user names',
    sql: `select e.id, u.name as user_name, e.duration, e.description
          from time_entries e join users u on u.id = e.user_id
          where e.task_id = 1000674 order by e.id`,
    // entries?where=task_id=1000674&include=user.name: 1.
    minimum: (f) => pages(f.rec('entries').filter((e) => e.task_id === 1000674).length),
  },
  {
    id: 'Q16',
    parents: 2,
    title: 'billable amount last month per project',
    sql: `select p.name as project,
                 round(sum(e.duration / 3600.0 * coalesce(t.price_per_hour, p.price_per_hour, 0)), 2) as amount
          from time_entries e join tasks t on t.id = e.task_id join projects p on p.id = e.project_id
          where e.spent_on >= '2026-10-01' and e.spent_on < '2026-11-01' and t.billable
          group by p.name order by amount desc, project`,
    // entries?where=time_interval in (Oct 1, Nov 1)&include=task.price_per_hour,task.billable,task.project: pages.
    minimum: (f) => pages(entriesBetween(f, '2026-10-01', '2026-11-01').length),
  },
  {
    id: 'Q17',
    parents: 2,
    title: 'ten longest timer sessions last week',
    sql: `select u.name as user_name, t.name as task, round(e.duration / 3600.0, 2) as hours
          from time_entries e join users u on u.id = e.user_id join tasks t on t.id = e.task_id
          where e.start_time >= '2026-11-02' and e.start_time < '2026-11-09'
          order by e.duration desc, e.id limit 10`,
    // entries?where=time_interval in (Nov 2, Nov 9)&include=user.name,task.name: pages (no server sort).
    minimum: (f) => pages(entriesBetween(f, '2026-11-02', '2026-11-09').length),
  },
  {
    id: 'Q18',
    parents: 1,
    title: 'lines of one invoice (by number)',
    sql: `select li.item, li.quantity, li.price_unit
          from invoice_line_items li join invoices i on i.id = li.invoice_id
          where i.number = '#INV-20260204-20' order by li.seq, li.item`,
    // invoices?where=number="#INV-20260204-20"&include=invoiceitems: 1.
    minimum: () => 1,
  },
  {
    id: 'Q19',
    parents: 1,
    title: 'open milestones due in the next 30 days',
    sql: `select m.due_date, m.name as milestone, p.name as project
          from milestones m join projects p on p.id = m.project_id
          where not m.complete and m.due_date between '2026-11-15' and '2026-12-15'
          order by m.due_date, milestone`,
    // milestones?where=complete=false and due_date>=… and due_date<=…&include=project.name: 1.
    minimum: () => 1,
  },
  {
    id: 'Q20',
    parents: 0,
    title: 'staff under 30 h last week',
    sql: `select u.name, round(coalesce(sum(e.duration), 0) / 3600.0, 1) as hours
          from users u left join time_entries e on e.user_id = u.id
            and e.start_time >= '2026-11-02' and e.start_time < '2026-11-09'
          where u.active and u.type <> 'Guest'
          group by u.name having coalesce(sum(e.duration), 0) < 30 * 3600
          order by hours, u.name`,
    // users?where=active=true (1) + entries?where=time_interval in (Nov 2, Nov 9) pages.
    minimum: (f) => 1 + pages(entriesBetween(f, '2026-11-02', '2026-11-09').length),
  },
  {
    id: 'Q01-old',
    parents: 1,
    title: 'Q01 with start_time OR date',
    sql: `select p.name as project, round(sum(e.duration) / 3600.0, 1) as hours
          from time_entries e join projects p on p.id = e.project_id
          where e.start_time >= '2026-11-01' or e.date >= '2026-11-01'
          group by p.name order by hours desc, project`,
    minimum: (f) => pages(entriesBetween(f, '2026-11-01', '2026-12-01').length),
  },
  {
    id: 'Q04-old',
    parents: 1,
    title: 'Q04 with start_time OR date',
    sql: `with w as (
            select date_trunc('week', coalesce(e.start_time, e.date::timestamptz)) as week, u.name,
                   sum(e.duration) / 3600.0 as hours
            from time_entries e join users u on u.id = e.user_id
            where e.start_time >= '2026-10-19' or e.date >= '2026-10-19'
            group by 1, 2)
          select week, name, round(hours, 1) as hours, rnk
          from (select week, name, hours, rank() over (partition by week order by hours desc) as rnk from w) r
          where rnk <= 3 order by week, rnk, name`,
    minimum: (f) => pages(entriesBetween(f, '2026-10-19', '2026-11-16').length),
  },
  {
    id: 'Q07-old',
    parents: 0,
    title: 'Q07 with date OR start_time',
    sql: `select coalesce(e.date, e.start_time::date) as day, round(sum(e.duration) / 3600.0, 2) as hours
          from time_entries e
          where e.user_id = 1002 and (e.date >= '2026-11-09' or e.start_time >= '2026-11-09')
          group by 1 order by 1`,
    minimum: (f) =>
      pages(entriesBetween(f, '2026-11-09', '2999-01-01').filter((e) => e.user_id === 1002).length),
  },
  {
    id: 'Q16-old',
    parents: 2,
    title: 'Q16 with coalesce(date, start_time::date)',
    sql: `select p.name as project,
                 round(sum(e.duration / 3600.0 * coalesce(t.price_per_hour, p.price_per_hour, 0)), 2) as amount
          from time_entries e join tasks t on t.id = e.task_id join projects p on p.id = e.project_id
          where coalesce(e.date, e.start_time::date) >= '2026-10-01'
            and coalesce(e.date, e.start_time::date) < '2026-11-01' and t.billable
          group by p.name order by amount desc, project`,
    minimum: (f) => pages(entriesBetween(f, '2026-10-01', '2026-11-01').length),
  },
];
