// Drives Echelon's MCP server with the official MCP TypeScript SDK, as an agent would.
// Usage: node mcp-client.mjs http URL [API_KEY]        (URL like http://127.0.0.1:8080/mcp)
//        node mcp-client.mjs stdio COMMAND [ARGS...]   (e.g. mcp/echelon-mcp)
// Lists tools and resources, reads every resource, calls every tool (and checks what each gives back), checks that
// malformed arguments come back as tool errors (isError), and — over HTTP with a key — that calls without a key or
// with a wrong one are refused. Prints one JSON summary line; exits 0 when every check passes, 1 otherwise.
// Run by dev.echelon.e2e.McpHttpClientsTest (HTTP) and dev.echelon.e2e.McpStdioIT (stdio).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFileSync } from 'node:fs';

const [mode, target, ...rest] = process.argv.slice(2);
if (!mode || !target || !['http', 'stdio'].includes(mode)) {
  console.error('usage: node mcp-client.mjs http URL [API_KEY] | node mcp-client.mjs stdio COMMAND [ARGS...]');
  process.exit(2);
}
const sdkVersion = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json',
  import.meta.url))).version;

const EXPECTED_TOOLS = ['chat', 'list_roles', 'memory_search', 'memory_store', 'residency_status', 'route_explain',
  'run_code', 'web_fetch'];
const EXPECTED_RESOURCES = ['echelon://config', 'echelon://escalations/recent', 'echelon://residency'];

function check(condition, message, detail) {
  if (!condition) {
    const err = new Error(message + (detail === undefined ? '' : ': ' + JSON.stringify(detail).slice(0, 2000)));
    err.check = true;
    throw err;
  }
}

function transport(key) {
  if (mode === 'http') {
    const headers = key === undefined ? {} : { Authorization: `Bearer ${key}` };
    return new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
  }
  return new StdioClientTransport({ command: target, args: rest, env: { ...getDefaultEnvironment(), ...process.env },
    stderr: 'inherit' });
}

async function connect(key) {
  const client = new Client({ name: 'echelon-mcp-test', version: '1.0.0' });
  await client.connect(transport(key));
  return client;
}

function text(result, i = 0) {
  return result.content?.[i]?.type === 'text' ? result.content[i].text : '';
}

async function ok(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  check(!r.isError, `${name} succeeds`, r);
  return r;
}

async function toolError(client, name, args, mentions) {
  const r = await client.callTool({ name, arguments: args });
  check(r.isError === true, `${name}(${JSON.stringify(args)}) is a tool error (isError)`, r);
  check(text(r).includes(mentions), `${name} error mentions '${mentions}'`, text(r));
  return text(r);
}

const summary = { ok: false, sdk: sdkVersion, mode };
const key = mode === 'http' ? rest[0] : undefined;
let client;
try {
  client = await connect(key);
  summary.server = client.getServerVersion();

  // --- discovery
  const tools = (await client.listTools()).tools;
  summary.tools = tools.map((t) => t.name).sort();
  for (const name of EXPECTED_TOOLS) {
    check(summary.tools.includes(name), `tool ${name} listed`, summary.tools);
  }
  for (const t of tools) {
    check(typeof t.description === 'string' && t.description.length > 20, `${t.name} has a description`, t);
    check(t.inputSchema?.type === 'object', `${t.name} has an object input schema`, t.inputSchema);
  }
  const resources = (await client.listResources()).resources;
  summary.resources = resources.map((r) => r.uri).sort();
  check(JSON.stringify(summary.resources) === JSON.stringify(EXPECTED_RESOURCES), 'resources listed',
    summary.resources);
  summary.resourceBytes = {};
  for (const uri of EXPECTED_RESOURCES) {
    const read = await client.readResource({ uri });
    const body = JSON.parse(read.contents[0].text);
    summary.resourceBytes[uri] = read.contents[0].text.length;
    if (uri === 'echelon://config') {
      check(body.registry?.roles?.frontdoor !== undefined, 'config resource holds the registry', Object.keys(body));
    }
    if (uri === 'echelon://residency') {
      check(body.roles && body.budgets, 'residency resource holds roles and budgets', Object.keys(body));
    }
    if (uri === 'echelon://escalations/recent') {
      check(Array.isArray(body), 'escalations resource is a list', body);
    }
  }

  // --- every tool, with what it should give back
  const results = {};
  const roles = JSON.parse(text(await ok(client, 'list_roles', {})));
  results.list_roles = roles.roles.map((r) => r.name);
  check(results.list_roles.includes('frontdoor') && results.list_roles.includes('coder'), 'list_roles', roles);

  const chat = await ok(client, 'chat', { prompt: 'Hello! How are you today?' });
  const about = JSON.parse(text(chat, 1));
  results.chat = { chars: text(chat).length, role: about.x_echelon?.role, tier: about.x_echelon?.tier,
    completion_tokens: about.usage?.completion_tokens };
  check(results.chat.chars > 0 && results.chat.role, 'chat answered and said which role', results.chat);

  const named = await ok(client, 'chat', { prompt: 'Write a haiku about autumn.', role: 'worker', max_tokens: 32 });
  results.chat_named = JSON.parse(text(named, 1)).x_echelon?.role;
  check(results.chat_named === 'worker', 'chat with role worker is answered by worker', results.chat_named);

  const explain = JSON.parse(text(await ok(client, 'route_explain', {
    prompt: 'Prove that the square root of 2 is irrational.' })));
  results.route_explain = explain.chosen ?? null;
  check(results.route_explain !== null, 'route_explain names the chosen role', Object.keys(explain));

  const residency = JSON.parse(text(await ok(client, 'residency_status', { recent: 5 })));
  results.residency_status = Object.keys(residency.roles);
  check(results.residency_status.includes('coder'), 'residency_status lists managed roles', residency);

  const stored = await client.callTool({ name: 'memory_store', arguments: {
    text: 'The deployment window for project Heron is Thursday 22:00 UTC.' } });
  if (stored.isError) {
    // memory may be turned off on this server: then both memory tools must say so as tool errors
    check(text(stored).includes('Memory is turned off'), 'memory_store error says memory is off', text(stored));
    await toolError(client, 'memory_search', { query: 'Heron deployment' }, 'Memory is turned off');
    results.memory = 'off';
  } else {
    const memory = JSON.parse(text(stored));
    const found = JSON.parse(text(await ok(client, 'memory_search', { query: 'When is the Heron deployment window?',
      k: 3 })));
    check(found.data.some((m) => m.id === memory.id), 'memory_search finds the stored note', found);
    results.memory = { stored: memory.id, found: found.data.length };
  }

  const run = await ok(client, 'run_code', { language: 'python', code: 'print(6 * 7 * 1001)' });
  results.run_code = text(run);
  check(results.run_code.includes('42042'), 'run_code ran the program in the sandbox', results.run_code);
  results.run_code_shell = text(await ok(client, 'run_code', { language: 'sh', code: 'echo sandboxed-$((40+2))' }));
  check(results.run_code_shell.includes('sandboxed-42'), 'run_code ran the shell script', results.run_code_shell);

  // the SSRF policy holds for agents too: loopback is refused before any connection
  results.web_fetch = await toolError(client, 'web_fetch', { url: 'http://127.0.0.1:9/' }, '127.0.0.1');
  summary.results = results;

  // --- malformed arguments: tool errors that name the argument, never protocol failures
  const malformed = {};
  malformed.missing = await toolError(client, 'chat', {}, 'prompt');
  malformed.nullRequired = await toolError(client, 'chat', { prompt: null }, 'prompt');
  malformed.wrongType = await toolError(client, 'memory_search', { query: 42 }, 'query');
  malformed.outOfRange = await toolError(client, 'chat', { prompt: 'hi', max_tokens: 0 }, 'max_tokens');
  malformed.unknownArgument = await toolError(client, 'list_roles', { verbose: true }, 'verbose');
  malformed.badEnum = await toolError(client, 'run_code', { language: 'ruby', code: 'puts 1' }, 'language');
  malformed.unknownRole = await toolError(client, 'chat', { prompt: 'hi', role: 'no-such-role' }, 'no-such-role');
  // an optional argument sent as null is taken as not sent
  const nullOptional = await ok(client, 'chat', { prompt: 'Say hello.', role: null, max_tokens: null });
  check(JSON.parse(text(nullOptional, 1)).x_echelon?.role, 'null optional arguments are ignored', nullOptional);
  summary.malformed = Object.keys(malformed);

  // --- authentication (HTTP with keys): no key, or a wrong one, is refused before any tool runs
  if (mode === 'http' && key !== undefined) {
    summary.refused = {};
    for (const [label, k] of [['no key', undefined], ['wrong key', 'sk-not-a-key']]) {
      let refused = null;
      try {
        const c = await connect(k);
        await c.listTools();
        await c.close();
      } catch (e) {
        refused = String(e.message ?? e);
      }
      check(refused !== null, `a client with ${label} is refused`);
      check(/401|nauthori|API key|Bearer/.test(refused), `the refusal (${label}) says why`, refused);
      summary.refused[label] = refused.slice(0, 200);
    }
  }
  summary.ok = true;
} catch (e) {
  summary.error = String(e.stack ?? e);
  console.log(JSON.stringify(summary));
  await client?.close().catch(() => {});
  process.exit(1);
}
console.log(JSON.stringify(summary));
await client.close();
process.exit(0);
