// Drives Echelon with the official OpenAI Node SDK, as a JavaScript application would.
// Usage: node openai-client.mjs BASE_URL [API_KEY]     (BASE_URL like http://127.0.0.1:8080/v1)
// Prints one JSON summary line and exits 0 when every check passes; otherwise prints what failed and exits 1.
// Run by dev.echelon.e2e.NodeOpenAiClientTest; the SDK is installed by `./echelon test` (npm ci in this folder).
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const [baseURL, apiKey = 'unused'] = process.argv.slice(2);
if (!baseURL) {
  console.error('usage: node openai-client.mjs BASE_URL [API_KEY]');
  process.exit(2);
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });

function check(condition, message, detail) {
  if (!condition) {
    const err = new Error(message + (detail === undefined ? '' : ': ' + JSON.stringify(detail)));
    err.check = true;
    throw err;
  }
}

function checkMeta(meta, where) {
  check(meta && typeof meta === 'object', `${where}: x_echelon present`, meta);
  for (const key of ['request_id', 'role', 'tier', 'route_reason', 'escalations', 'draft_acceptance', 'queue_ms',
    'load_wait_ms', 'instance']) {
    check(key in meta, `${where}: x_echelon.${key} present`, meta);
  }
}

const WEATHER_TOOLS = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'The city, for example Berlin' } },
      required: ['city'],
    },
  },
}];
const WEATHER_QUESTION = { role: 'user', content: 'What is the weather in Paris? Use get_weather.' };

async function models() {
  const ids = [];
  for await (const m of client.models.list()) {
    ids.push(m.id);
  }
  for (const id of ['auto', 'frontdoor']) {
    check(ids.includes(id), `models.list() contains ${id}`, ids);
  }
  check(!ids.includes('draft_general'), 'drafts are not offered as models', ids);
  const one = await client.models.retrieve('frontdoor');
  check(one.id === 'frontdoor' && one.object === 'model', 'models.retrieve(frontdoor)', one);
  return ids;
}

async function chat() {
  const { data: r, response } = await client.chat.completions.create({
    model: 'frontdoor',
    messages: [{ role: 'user', content: 'Hello! Tell me something about the sea.' }],
    max_tokens: 48,
  }).withResponse();
  const content = r.choices?.[0]?.message?.content;
  check(typeof content === 'string' && content.trim().length > 0, 'chat: non-empty content', r);
  check(r.object === 'chat.completion', 'chat: object is chat.completion', r.object);
  check(r.model === 'frontdoor', 'chat: model echoes the request', r.model);
  check(['stop', 'length'].includes(r.choices[0].finish_reason), 'chat: finish_reason', r.choices[0].finish_reason);
  check(r.usage?.completion_tokens > 0 && r.usage?.prompt_tokens > 0, 'chat: usage', r.usage);
  checkMeta(r.x_echelon, 'chat');
  check(r.x_echelon.role === 'frontdoor' && r.x_echelon.tier === 'A', 'chat: x_echelon role and tier', r.x_echelon);
  check(response.headers.get('x-echelon-role') === 'frontdoor', 'chat: X-Echelon-Role header',
    response.headers.get('x-echelon-role'));
  check(response.headers.get('x-echelon-tier') === 'A', 'chat: X-Echelon-Tier header');
  check(response.headers.get('x-request-id') === r.x_echelon.request_id, 'chat: X-Request-Id is x_echelon.request_id',
    [response.headers.get('x-request-id'), r.x_echelon.request_id]);
  return { role: r.x_echelon.role, tier: r.x_echelon.tier, chars: content.length, usage: r.usage };
}

async function stream() {
  const s = await client.chat.completions.create({
    model: 'frontdoor',
    messages: [{ role: 'user', content: 'Tell me about rivers and mountains.' }],
    max_tokens: 48,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  let text = '';
  let finishReason = null;
  for await (const chunk of s) {
    chunks.push(chunk);
    check(chunk.object === 'chat.completion.chunk', 'stream: chunk object', chunk);
    for (const c of chunk.choices ?? []) {
      if (c.delta?.content) {
        text += c.delta.content;
      }
      if (c.finish_reason) {
        finishReason = c.finish_reason;
      }
    }
  }
  const deltas = chunks.filter((c) => c.choices?.[0]?.delta?.content).length;
  const last = chunks[chunks.length - 1];
  check(deltas >= 2, 'stream: several content deltas', deltas);
  check(text.trim().length > 0, 'stream: non-empty text');
  check(['stop', 'length'].includes(finishReason), 'stream: a finish_reason', finishReason);
  check(Array.isArray(last.choices) && last.choices.length === 0, 'stream: the final chunk is the usage chunk', last);
  check(last.usage?.completion_tokens > 0, 'stream: usage in the final chunk', last);
  checkMeta(last.x_echelon, 'stream final chunk');
  check(chunks.slice(0, -1).every((c) => c.usage == null), 'stream: only the final chunk carries usage');
  check(chunks.slice(0, -1).every((c) => c.x_echelon === undefined), 'stream: only the final chunk carries x_echelon');
  return { chunks: chunks.length, deltas, chars: text.length, finish_reason: finishReason, usage: last.usage,
    x_echelon: last.x_echelon };
}

async function tools() {
  const first = await client.chat.completions.create({
    model: 'frontdoor', messages: [WEATHER_QUESTION], tools: WEATHER_TOOLS, tool_choice: 'required',
  });
  const choice = first.choices[0];
  check(choice.finish_reason === 'tool_calls', 'tools: finish_reason tool_calls', choice);
  const call = choice.message.tool_calls?.[0];
  check(call && call.type === 'function' && call.function.name === 'get_weather', 'tools: a get_weather call',
    choice.message);
  check(typeof call.id === 'string' && call.id.length > 0, 'tools: the call has an id', call);
  let args;
  try {
    args = JSON.parse(call.function.arguments);
  } catch (e) {
    check(false, 'tools: arguments are JSON', call.function.arguments);
  }
  check(typeof args.city === 'string' && args.city.length > 0, 'tools: arguments.city', args);

  // the same call, streamed: the SDK's chunks carry the call as deltas to be assembled
  const s = await client.chat.completions.create({
    model: 'frontdoor', messages: [WEATHER_QUESTION], tools: WEATHER_TOOLS, tool_choice: 'required', stream: true,
  });
  let streamedName = '';
  let streamedArgs = '';
  let argDeltas = 0;
  let streamedFinish = null;
  for await (const chunk of s) {
    for (const c of chunk.choices ?? []) {
      for (const tc of c.delta?.tool_calls ?? []) {
        streamedName += tc.function?.name ?? '';
        if (tc.function?.arguments) {
          streamedArgs += tc.function.arguments;
          argDeltas++;
        }
      }
      streamedFinish = c.finish_reason ?? streamedFinish;
    }
  }
  check(streamedName === 'get_weather', 'tools (stream): the function name', streamedName);
  check(argDeltas >= 2, 'tools (stream): arguments arrive as several deltas', argDeltas);
  check(typeof JSON.parse(streamedArgs).city === 'string', 'tools (stream): assembled arguments are JSON with city',
    streamedArgs);
  check(streamedFinish === 'tool_calls', 'tools (stream): finish_reason tool_calls', streamedFinish);

  const result = { city: args.city, temperature_c: 18, conditions: 'sunny' };
  const second = await client.chat.completions.create({
    model: 'frontdoor',
    messages: [WEATHER_QUESTION, choice.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) }],
    tools: WEATHER_TOOLS,
  });
  const answer = second.choices[0].message;
  check(typeof answer.content === 'string' && answer.content.trim().length > 0, 'tools: a text answer after the result',
    second);
  check(!answer.tool_calls || answer.tool_calls.length === 0, 'tools: no further tool call', answer);
  check(['stop', 'length'].includes(second.choices[0].finish_reason), 'tools: answer finish_reason',
    second.choices[0].finish_reason);
  return { name: call.function.name, arguments: args, streamed_arg_deltas: argDeltas,
    answer: answer.content.slice(0, 120) };
}

async function embeddings() {
  // the SDK asks for base64 by default and decodes it to floats
  const r = await client.embeddings.create({ model: 'embedder', input: ['a river runs to the sea', 'hello'] });
  check(r.data.length === 2, 'embeddings: one vector per input', r.data.length);
  const v = r.data[0].embedding;
  check(Array.isArray(v) && v.length === 384 && v.every(Number.isFinite), 'embeddings: 384 finite floats',
    v?.length);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return { vectors: r.data.length, dimensions: v.length, norm: Math.round(norm * 1000) / 1000 };
}

async function expectError(status, request, what) {
  try {
    await client.chat.completions.create(request);
  } catch (e) {
    check(e instanceof OpenAI.APIError, `${what}: an APIError`, String(e));
    check(e.status === status, `${what}: status ${status}`, { status: e.status, message: e.message });
    return { status: e.status, code: e.code ?? null, param: e.param ?? null, type: e.type ?? null };
  }
  check(false, `${what}: the request was refused`);
}

async function errors() {
  const notFound = await expectError(404, {
    model: 'no-such-model', messages: [{ role: 'user', content: 'Hello' }],
  }, 'unknown model');
  check(notFound.code === 'model_not_found', 'unknown model: code model_not_found', notFound);
  const n2 = await expectError(400, {
    model: 'frontdoor', messages: [{ role: 'user', content: 'Hello' }], n: 2,
  }, 'n: 2');
  check(n2.param === 'n', 'n: 2: param names n', n2);
  return { unknown_model: notFound, n_2: n2 };
}

try {
  const summary = { ok: true, sdk: VERSION, base_url: baseURL };
  summary.models = await models();
  summary.chat = await chat();
  summary.stream = await stream();
  summary.tools = await tools();
  summary.embeddings = await embeddings();
  summary.errors = await errors();
  console.log(JSON.stringify(summary));
  process.exit(0);
} catch (e) {
  console.error('openai-client.mjs FAILED: ' + (e.check ? e.message : (e.stack ?? String(e))));
  process.exit(1);
}
