/**
 * `baton templates add FILE | ls | rm NAME_OR_ID`: plan templates, the plans an operator approved for actions in
 * plain words. FILE is a JSON `{ name, description, examples, params, plan }` (`planTemplateDefinitionSchema`).
 */
import type { PlanTemplateInput } from '@baton/protocol';
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { nonBlank } from '../options/parse-options.js';
import { printItem, printList } from '../render/print-list.js';
import { formatTime } from '../render/text-format.js';

const remote = () => import('../remote/server-clients.js');

const TEMPLATE_FILE_HELP = `
FILE holds one JSON object:
  { "name": "weather",                      lower-case letters, digits and dashes
    "description": "The weather in a city",
    "examples": ["What's the weather in {city}?"],   actions it answers; {param} marks a value
    "params": { "city": { "type": "string" } },      each a JSON Schema; the plan reads request.data.<param>
    "plan": { "steps": [ … ] } }
The server checks it and lists every problem (its params' schemas, its examples, its plan's steps and references);
a name already in use is refused. The services its plan names are resolved when the template is used.

Example:
  $ baton templates add weather-template.json`;

export function registerTemplatesCommands(program: Command, io: Io): void {
  const templates = program
    .command('templates')
    .description('plan templates: approved plans the server picks for matching actions in plain words');

  templates
    .command('add')
    .description('add a plan template from a JSON file')
    .argument('<file>', 'a JSON plan template', nonBlank('<file>'))
    .option('--json', 'print the stored template as JSON')
    .addHelpText('after', TEMPLATE_FILE_HELP)
    .action(async (file: string, options: { json?: boolean }) => {
      const [{ withProjectClient }, { readJsonObject }] = await Promise.all([
        remote(),
        import('../options/read-json-file.js'),
      ]);
      const definition = await readJsonObject(file, 'template file');
      const created = await withProjectClient((client) =>
        // The server checks the definition and answers every problem; the file is sent as written.
        client.planTemplates.create(definition as PlanTemplateInput),
      );
      printItem(io, created, options.json, () => [
        `Template ${created.name} (${created.id}) added: ${created.examples.length} example(s), ${created.plan.steps.length} step(s), params: ${Object.keys(created.params).join(', ') || 'none'}`,
      ]);
    });

  templates
    .command('ls')
    .description("list the project's plan templates")
    .option('--json', 'print the templates as a JSON array')
    .addHelpText('after', '\nExample:\n  $ baton templates ls')
    .action(async (options: { json?: boolean }) => {
      const { withProjectClient } = await remote();
      const items = await withProjectClient(async (client) => {
        const all = [];
        for await (const template of client.planTemplates.listAll()) all.push(template);
        return all;
      });
      printList(io, items, options.json, {
        headers: ['NAME', 'ID', 'EXAMPLES', 'PARAMS', 'STEPS', 'CREATED'],
        row: (template) => [
          template.name,
          template.id,
          String(template.examples.length),
          Object.keys(template.params).join(',') || '-',
          String(template.plan.steps.length),
          formatTime(template.createdAt),
        ],
        empty: 'No plan templates: baton templates add FILE',
      });
    });

  templates
    .command('rm')
    .description('remove a plan template')
    .argument('<name-or-id>', "the template's name or id", nonBlank('<name-or-id>'))
    .addHelpText('after', '\nExample:\n  $ baton templates rm weather')
    .action(async (nameOrId: string) => {
      const { withProjectClient } = await remote();
      await withProjectClient((client) => client.planTemplates.remove(nameOrId));
      io.out(`Template ${nameOrId} removed.`);
    });
}
