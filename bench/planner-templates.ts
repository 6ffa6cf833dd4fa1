/**
 * 85 plan templates for the planner benchmark, added to the 15 shipped ones so the matcher holds 100, as an operator's
 * set would: tasks for billing, support, people, operations, sales, stock, marketing and the office, each with its own
 * verb and object, two ways of writing it and up to three params (a few take none). Some sit close to a shipped
 * template on purpose (a hotel or the air quality in {city} next to the weather in {city}), as in real sets.
 */
import type { PlanTemplateInput } from '@baton/protocol';

type Schema = Record<string, unknown>;
const id: Schema = { type: 'integer', minimum: 1 };
const count: Schema = { type: 'integer', minimum: 1, maximum: 10_000 };
/** The JSON Schema of a param, by its name; any param not listed is a non-empty string. */
const SCHEMAS: Record<string, Schema> = {
  invoiceId: id,
  reportId: id,
  ticketId: id,
  orderId: id,
  pr: id,
  replicas: count,
  quantity: count,
  people: count,
  nights: count,
  percent: { type: 'integer', minimum: 1, maximum: 90 },
  price: { type: 'number', exclusiveMinimum: 0 },
  domain: { type: 'string', pattern: '^[a-z0-9.-]+\\.[a-z]{2,}$' },
  sku: { type: 'string', pattern: '^[A-Z]+-?\\d+$' },
};
const TEXT: Schema = { type: 'string', minLength: 1 };

/** Templates by the service their one step calls: name, then the ways an action may say it. */
const BY_TARGET: Record<string, Record<string, readonly string[]>> = {
  billing: {
    'create-invoice': ['Create an invoice for {customer}', 'Draft a new invoice for {customer}'],
    'send-invoice': ['Send invoice {invoiceId} to the customer', 'Email invoice {invoiceId}'],
    'invoice-paid': ['Has invoice {invoiceId} been paid?', 'Payment status of invoice {invoiceId}'],
    'overdue-invoices': ['List overdue invoices for {customer}', 'Which invoices from {customer} are overdue?'],
  },
  ledger: {
    'monthly-expenses': ['Show expenses for {month}', 'How much did we spend in {month}?'],
    'approve-expense-report': ['Approve expense report {reportId}', 'Sign off on expense report {reportId}'],
    'department-budget': ['How much budget is left for {department}?', 'Remaining budget of {department}'],
    'tax-estimate': ['Estimate quarterly taxes for {quarter}', 'What is our tax estimate for {quarter}?'],
  },
  payroll: {
    'payroll-summary': ['Run the payroll summary for {month}', 'Payroll totals for {month}'],
  },
  payments: {
    'pay-vendor': ['Pay {vendor} their outstanding balance', 'Settle the balance we owe {vendor}'],
  },
  helpdesk: {
    'open-tickets': ['List open tickets for {team}', 'Which tickets are still open for {team}?'],
    'file-ticket': ['Open a support ticket about {issue}', 'File a ticket about {issue}'],
    'close-ticket': ['Close ticket {ticketId}', 'Mark ticket {ticketId} as resolved'],
    'escalate-ticket': ['Escalate ticket {ticketId} to tier two', 'Send ticket {ticketId} up to tier two'],
    'assign-ticket': ['Assign ticket {ticketId} to {agent}', 'Give ticket {ticketId} to {agent}'],
    'ticket-history': ['Show the history of ticket {ticketId}', 'What happened on ticket {ticketId}?'],
    'satisfaction-score': ['What is the customer satisfaction score for {team}?', 'CSAT for {team}'],
    'sla-breaches': ['List SLA breaches this week for {team}', 'Which tickets of {team} broke the SLA this week?'],
  },
  hr: {
    'request-leave': ['Request vacation from {start} to {end}', 'Book time off from {start} to {end}'],
    'leave-balance': ['How many vacation days does {employee} have left?', 'Vacation balance for {employee}'],
    'onboard-employee': ['Start onboarding for {employee}', 'Onboard new hire {employee}'],
    'offboard-employee': ['Offboard {employee}', 'Revoke all access for departing employee {employee}'],
    'direct-reports': ['Who reports to {manager}?', 'Show the direct reports of {manager}'],
    'performance-review': ['Open a performance review for {employee}', 'Start the yearly review of {employee}'],
  },
  recruiting: {
    'post-job': ['Post a job opening for a {role}', 'Publish a job ad for a {role}'],
    'list-applicants': ['List applicants for the {role} position', 'Who applied for the {role} position?'],
    'arrange-interview': [
      'Book an interview slot for candidate {candidate}',
      'Arrange an interview for candidate {candidate}',
    ],
  },
  it: {
    'order-laptop': ['Request a new laptop for {employee}', 'Order a laptop for {employee}'],
    'reset-password': ['Reset the password for {username}', 'Send a password reset link to {username}'],
    'grant-vpn': ['Grant VPN access to {username}', 'Give {username} VPN access'],
  },
  deployer: {
    'deploy-service': ['Deploy {service} to production', 'Ship {service} to production'],
    'rollback-service': ['Roll back {service} to the previous release', 'Revert the last deploy of {service}'],
    'restart-service': ['Restart {service}', 'Restart the {service} service'],
    'scale-service': ['Scale {service} to {replicas} replicas', 'Run {replicas} replicas of {service}'],
  },
  logs: {
    'service-errors': ['Show the error logs of {service}', 'Fetch recent errors for {service}'],
  },
  incidents: {
    'declare-incident': ['Open an incident for {service}', 'Declare an incident on {service}'],
    'on-call': ['Who is on call for {team} this week?', 'Current on-call engineer of {team}'],
  },
  ci: {
    'build-status': ['What is the build status of {branch}?', 'Did the build pass on {branch}?'],
    'merge-pull-request': ['Merge pull request {pr}', 'Merge PR {pr}'],
    'request-review': ['Ask {reviewer} to review pull request {pr}', 'Request a review of PR {pr} from {reviewer}'],
  },
  monitoring: {
    'service-uptime': ['Show uptime for {service} over the last month', 'Monthly uptime of {service}'],
    'disk-usage': ['How full is the disk on {host}?', 'Check disk usage on {host}'],
    'certificate-expiry': [
      'When does the TLS certificate for {domain} expire?',
      'Check certificate expiry for {domain}',
    ],
  },
  secrets: {
    'rotate-api-key': ['Rotate the API key for {service}', 'Issue a new API key for {service}'],
  },
  dns: {
    'dns-records': ['Look up the DNS records for {domain}', 'Show DNS records of {domain}'],
  },
  databases: {
    'backup-database': ['Create a backup of database {database}', 'Back up the {database} database'],
  },
  cdn: {
    'purge-cdn': ['Purge the CDN cache', 'Clear everything cached on the CDN'],
  },
  crm: {
    'add-lead': ['Add {company} as a new lead', 'Create a lead for {company}'],
    'lead-score': ['What is the lead score of {company}?', 'Score the lead {company}'],
    'sales-pipeline': ['Show the sales pipeline for {region}', 'Pipeline for {region} this quarter'],
    'win-deal': ['Mark the deal with {company} as won', 'Close the deal with {company} as won'],
    'account-contacts': ['List the contacts at {company}', 'Who are our contacts at {company}?'],
    'draft-proposal': ['Prepare a sales proposal for {company}', 'Draft a proposal for {company}'],
    'churn-risk': ['Which accounts in {region} are at risk of churning?', 'Churn risk report for {region}'],
    'projected-revenue': ['Projected revenue for {quarter}', 'Project our revenue for {quarter}'],
    'audience-segment': [
      'Create an audience segment of customers in {city}',
      'Build a segment of customers living in {city}',
    ],
  },
  contracts: {
    'contract-renewal': ['When does the contract with {company} renew?', 'Renewal date of the {company} contract'],
  },
  inventory: {
    'warehouse-units': ['How many units of {sku} do we have in the warehouse?', 'Warehouse inventory of {sku}'],
    'transfer-stock': [
      'Move {quantity} units of {sku} to {warehouse}',
      'Transfer {quantity} units of {sku} to the {warehouse} warehouse',
    ],
  },
  purchasing: {
    'reorder-product': ['Reorder {quantity} units of {sku}', 'Restock {sku} with {quantity} units'],
    'chase-supplier': ['Email supplier {supplier} about late deliveries', 'Contact {supplier} about delayed shipments'],
  },
  catalog: {
    'set-price': ['Change the price of {sku} to {price}', 'Set the price of {sku} to {price}'],
    'best-sellers': ['Show the best selling products in {category}', 'Top sellers in {category}'],
  },
  orders: {
    'discount-order': [
      'Apply a {percent} percent discount to order {orderId}',
      'Give order {orderId} a {percent} percent discount',
    ],
    'customer-orders': ['List recent orders from {customer}', 'What did {customer} order recently?'],
  },
  shipping: {
    'return-label': ['Create a return label for order {orderId}', 'Print a return label for order {orderId}'],
  },
  analytics: {
    'abandoned-carts': ['How many carts were abandoned in {month}?', 'Abandoned cart report for {month}'],
    'campaign-results': ['How did the {campaign} campaign perform?', 'Results of the {campaign} campaign'],
    'site-traffic': ['Show website traffic for {month}', 'How many visitors did the site get in {month}?'],
    'experiment-result': ['Who won the A/B test {experiment}?', 'Result of experiment {experiment}'],
    'active-users': ['How many users are online right now?', 'Count the active users right now'],
  },
  mailer: {
    'send-newsletter': ['Send the newsletter to {segment}', "Email this week's newsletter to {segment}"],
  },
  social: {
    'schedule-post': [
      'Schedule a social media post about {subject} on {day}',
      'Post about {subject} on social media on {day}',
    ],
  },
  seo: {
    'keyword-rankings': ['Which keywords does {domain} rank for?', 'Keyword rankings of {domain}'],
  },
  calendar: {
    'book-room': ['Book a meeting room for {people} people on {day}', 'Reserve a room for {people} people on {day}'],
    'set-reminder': ['Remind me to {task} at {time}', 'Set a reminder to {task} at {time}'],
    'public-holidays': ['List public holidays in {country} this year', 'Which days are public holidays in {country}?'],
    'todays-agenda': ["Show today's agenda", "What's on my calendar today?"],
  },
  drive: {
    'share-document': [
      'Share the document {document} with {person}',
      'Give {person} access to the document {document}',
    ],
    'find-file': ['Find the file named {filename}', 'Search the drive for the file {filename}'],
  },
  travel: {
    'book-hotel': ['Book a hotel in {city} for {nights} nights', 'Reserve a hotel room in {city} for {nights} nights'],
  },
  catering: {
    'team-lunch': ['Order lunch for the team from {restaurant}', 'Get team lunch from {restaurant}'],
  },
  chat: {
    'create-channel': ['Create a chat channel called {channel}', 'Open a new channel named {channel}'],
  },
  environment: {
    'air-quality': ['Check the air quality in {city}', 'What is the air quality index in {city}?'],
  },
  clock: {
    'local-time': ['What time is it in {city}?', 'Current local time in {city}'],
  },
};

const placeholders = (example: string) => [...example.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);

/** The 85 templates, each one step calling its service with every param by reference. */
export function generatedTemplates(): PlanTemplateInput[] {
  return Object.entries(BY_TARGET).flatMap(([target, templates]) =>
    Object.entries(templates).map(([name, examples]) => {
      const params = placeholders(examples[0] as string);
      return {
        name,
        description: examples[0] as string,
        examples: [...examples],
        params: Object.fromEntries(params.map((param) => [param, SCHEMAS[param] ?? TEXT])),
        plan: {
          steps: [
            {
              id: name.replaceAll('-', '_'),
              target,
              input: Object.fromEntries(params.map((param) => [param, { $ref: `request.data.${param}` }])),
            },
          ],
        },
      };
    }),
  );
}
