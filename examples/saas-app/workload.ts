// The SaaS app's hot paths, as its API runs them: the queries the migrations in ./migrations
// could hurt. Each query is a route of the rehearsal's app, so stalls and errors are per query.
import { defineWorkload, faker, int, oneOf, pick, pickRow, text } from 'rehearse';

const task = pickRow('tasks', ['id', 'project_id']);

export default defineWorkload({
  queries: {
    // The task page: the most frequent request by far.
    getTask: { sql: 'SELECT * FROM tasks WHERE id = $1', params: [pick('tasks.id')], weight: 8 },
    // A project board: open tasks of one project, by status (served by tasks_project_id_status_idx).
    projectBoard: {
      sql: "SELECT id, title, status, priority, assignee_id FROM tasks WHERE project_id = $1 AND status = $2 ORDER BY priority, id LIMIT 50",
      params: [pick('tasks.project_id'), oneOf(['todo', 'in_progress', 'in_review'], [5, 3, 1])],
      weight: 4,
    },
    // Moving a card: a row lock on tasks, and the updated_at trigger fires.
    moveTask: { sql: 'UPDATE tasks SET status = $2 WHERE id = $1', params: [pick('tasks.id'), oneOf(['todo', 'in_progress', 'in_review', 'done'])], weight: 2 },
    // A comment: an insert whose FK checks take a lock on the task row.
    addComment: {
      sql: 'INSERT INTO comments (task_id, author_id, body) VALUES ($1, $2, $3)',
      params: [pick('tasks.id'), pick('users.id'), text(20, 300)],
      weight: 2,
    },
    // Comments under a task.
    taskComments: { sql: 'SELECT id, author_id, body, created_at FROM comments WHERE task_id = $1 ORDER BY created_at LIMIT 20', params: [pick('tasks.id')], weight: 3 },
    // A new subtask of an existing task in the same project.
    createSubtask: {
      sql: 'INSERT INTO tasks (project_id, parent_id, title, priority) VALUES ($1, $2, $3, $4)',
      params: [task.col('project_id'), task.col('id'), faker('lorem.sentence', 5), int(1, 4)],
      weight: 1,
    },
    // The invoice list of one organization (served by invoices_organization_id_issued_at_idx).
    invoices: { sql: 'SELECT id, number, status, amount_cents FROM invoices WHERE organization_id = $1 ORDER BY issued_at DESC LIMIT 20', params: [pick('invoices.organization_id')], weight: 1 },
    // Sign-in: a user by email (citext, unique).
    signIn: { sql: 'SELECT id, "fullName", locale FROM users WHERE email = $1', params: [pick('users.email')], weight: 2 },
  },
});
