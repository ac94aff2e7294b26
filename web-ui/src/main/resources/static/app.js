// Videogen web UI: image + prompt -> short video with sound.
// Talks only to the same-origin HTTP API described in CONTRACT.md.
// All user and server text reaches the page through textContent or attributes, never innerHTML.

const API = '/api';
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MAX_PROMPT_CHARS = 2000;
const COUNTER_FROM = 1800;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp']);
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);
const POLL_MS = 2000;
const SSE_FIRST_MESSAGE_MS = 10000;
const SSE_MAX_FAILURES = 3;
const MAX_STREAMS = 4; // keep HTTP/1.1 connections free for ordinary requests
// The job list and live updates are eventually consistent with a submission: right after the 202 the job can
// still answer 404 for a moment. A job submitted from this page is only "gone" after this long.
const NEW_JOB_GRACE_MS = 30000;
const HISTORY_PAGE_SIZE = 50;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const SVG_NS = 'http://www.w3.org/2000/svg';

const MESSAGES = {
  imageMissing: 'Choose an image to animate.',
  imageType: 'The image must be a JPEG, PNG or WebP file.',
  imageSize: 'The image is larger than 10 MB.',
  prompt: 'Write a prompt of 1 to 2000 characters.',
  steps: 'Steps must be a whole number from 1 to 50.',
  seed: 'Seed must be a whole number.',
  offline: 'Could not reach the server. Check your connection and try again.',
};

const STATUS_LABEL = {
  queued: 'Queued',
  running: 'Generating',
  succeeded: 'Ready',
  failed: 'Failed',
  canceled: 'Canceled',
};

const TERMINAL_STAGE = {
  succeeded: 'Your video is ready.',
  failed: 'The video could not be made.',
  canceled: 'Canceled',
};

const narrowScreen = window.matchMedia('(max-width: 767.98px)');
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

const els = {};

const state = {
  records: new Map(), // jobId -> record (see createRecord)
  composerFile: null,
  previewUrl: null,
  submitting: false,
  nextCursor: null,
  openStreams: 0,
  dragDepth: 0,
  toastTimer: 0,
  timesQueued: false,
  pinnedToBottom: true, // follow new content while the reader is at the end of the chat
};

// Thumbnails and videos change height after they load: keep the chat pinned to the end.
const contentResizeObserver = typeof ResizeObserver === 'function'
  ? new ResizeObserver(() => {
    // With nothing in the chat yet, the welcome reads from its top.
    if (state.pinnedToBottom && state.records.size > 0) scrollToBottom(false);
  })
  : { observe() {}, unobserve() {} };

/* ============================== Small helpers ============================== */

const $ = (selector, root = document) => root.querySelector(selector);

function cloneTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

function icon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(SVG_NS, 'use');
  use.setAttribute('href', `#${name}`);
  svg.append(use);
  return svg;
}

function makeButton(className, label, iconName) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  if (iconName) button.append(icon(iconName));
  const text = document.createElement('span');
  text.className = 'label';
  text.textContent = label;
  button.append(text);
  return button;
}

function setButtonLabel(button, label) {
  const text = $('.label', button);
  if (text) text.textContent = label;
}

function excerpt(text, max = 120) {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function clampPercent(value) {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, Math.round(n))) : 0;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isJob(value) {
  return Boolean(value) && typeof value === 'object' && typeof value.jobId === 'string' && value.jobId !== '';
}

function isTerminal(job) {
  return TERMINAL.has(job.status);
}

function jobPath(id) {
  return `/video-jobs/${encodeURIComponent(id)}`;
}

function imageUrlOf(job) {
  return job.imageUrl || `${API}${jobPath(job.jobId)}/image`;
}

function videoUrlOf(job) {
  return job.videoUrl || `/api/video-blob/${encodeURIComponent(job.jobId)}`;
}

function withQuery(url, query) {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function sortKeyOf(job) {
  const time = Date.parse(job.createdAt);
  return Number.isFinite(time) ? time : Date.now();
}

function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function relativeTime(iso, now = Date.now()) {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return '';
  const seconds = Math.round((time - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86400) return relativeFormat.format(Math.round(seconds / 86400), 'day');
  return shortDateFormat.format(time);
}

/** Inserts node into container keeping children with data-sort ordered (asc or desc). */
function insertSorted(container, node, key, order) {
  node.dataset.sort = String(key);
  const before = Array.from(container.children).find((child) => {
    if (child.dataset.sort === undefined) return false;
    const other = Number(child.dataset.sort);
    return order === 'asc' ? other > key : other < key;
  });
  container.insertBefore(node, before || null);
}

/* ============================== HTTP API ============================== */

class ApiError extends Error {
  constructor(message, status = 0, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function api(path, { method = 'GET', body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      body,
      headers: { Accept: 'application/json, application/problem+json', ...headers },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(MESSAGES.offline);
  }
  if (!response.ok) throw await problemToError(response);
  if (response.status === 204) return null;
  return parseJson(await response.text());
}

function parseRetryAfter(header) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : null;
}

async function problemToError(response) {
  const problem = parseJson(await response.text().catch(() => '')) || {};
  const text = (value) => (typeof value === 'string' && value.trim() ? value.trim() : '');
  let message = text(problem.detail) || text(problem.title) || `Something went wrong (HTTP ${response.status}).`;
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  if (response.status === 429 && retryAfter !== null) {
    message += ` You can try again in ${formatDuration(retryAfter)}.`;
  }
  return new ApiError(message, response.status, retryAfter);
}

const jobsApi = {
  list(cursor) {
    const query = new URLSearchParams({ limit: String(HISTORY_PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    return api(`/video-jobs?${query}`);
  },
  get: (id) => api(jobPath(id)),
  cancel: (id) => api(`${jobPath(id)}/cancel`, { method: 'POST' }),
  remove: (id) => api(jobPath(id), { method: 'DELETE' }),
  create(form, idempotencyKey) {
    const headers = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
    return api('/generate-video', { method: 'POST', body: form, headers });
  },
};

function newIdempotencyKey() {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : null;
}

/* ============================== Validation ============================== */

function hasAllowedType(file) {
  if (file.type) return IMAGE_TYPES.has(file.type.toLowerCase());
  return /\.(jpe?g|png|webp)$/i.test(file.name || '');
}

function validateImage(file) {
  if (!file) return MESSAGES.imageMissing;
  if (!hasAllowedType(file)) return MESSAGES.imageType;
  if (file.size > MAX_IMAGE_BYTES) return MESSAGES.imageSize;
  return null;
}

function validatePrompt(prompt) {
  return prompt.length < 1 || prompt.length > MAX_PROMPT_CHARS ? MESSAGES.prompt : null;
}

/** Returns { value } (null when blank) or { error }. */
function parseSeed(raw) {
  const text = raw.trim();
  if (!text) return { value: null };
  if (!/^[+-]?\d+$/.test(text)) return { error: MESSAGES.seed };
  const value = Number(text);
  return value >= INT_MIN && value <= INT_MAX ? { value } : { error: MESSAGES.seed };
}

function parseSteps(raw) {
  const text = raw.trim();
  if (!text) return { value: null };
  const value = Number(text);
  return /^\d+$/.test(text) && value >= 1 && value <= 50 ? { value } : { error: MESSAGES.steps };
}

/** Reads the composer; answers { request } or { error, field }. */
function readComposer() {
  const imageError = validateImage(state.composerFile);
  if (imageError) return { error: imageError, field: els.attach };
  const prompt = els.prompt.value.trim();
  const promptError = validatePrompt(prompt);
  if (promptError) return { error: promptError, field: els.prompt };
  const seed = parseSeed(els.seed.value);
  if (seed.error) return { error: seed.error, field: els.seed };
  const steps = parseSteps(els.steps.value);
  if (steps.error) return { error: steps.error, field: els.steps };
  const negativePrompt = els.negativePrompt.value.trim() || null;
  return {
    request: {
      file: state.composerFile,
      prompt,
      params: { negativePrompt, seed: seed.value, steps: steps.value },
    },
  };
}

/* ============================== Composer ============================== */

function showComposerError(message, field) {
  els.composerError.textContent = message;
  els.composerError.hidden = false;
  for (const input of [els.prompt, els.seed, els.steps]) input.removeAttribute('aria-invalid');
  if (field && field !== els.attach) {
    field.setAttribute('aria-invalid', 'true');
    if (field === els.seed || field === els.steps) els.advanced.open = true;
  }
  if (field) field.focus();
}

function clearComposerError() {
  els.composerError.hidden = true;
  els.composerError.textContent = '';
  for (const input of [els.prompt, els.seed, els.steps]) input.removeAttribute('aria-invalid');
}

function hasSomethingToSend() {
  return Boolean(state.composerFile) || els.prompt.value.trim() !== '';
}

function updateSendState() {
  els.send.disabled = state.submitting || !hasSomethingToSend();
}

function updateCounter() {
  const length = els.prompt.value.trim().length;
  els.counter.textContent = length >= COUNTER_FROM ? `${length} / ${MAX_PROMPT_CHARS}` : '';
  els.counter.classList.toggle('is-over', length > MAX_PROMPT_CHARS);
}

function autoGrow() {
  const textarea = els.prompt;
  textarea.style.height = 'auto';
  textarea.style.height = `${Math.min(textarea.scrollHeight, 240)}px`;
}

/** The full placeholder wraps and is cut off in a one-line box on a phone: say less there. */
function updatePlaceholder() {
  els.prompt.placeholder = narrowScreen.matches ? els.prompt.dataset.placeholderNarrow : els.prompt.dataset.placeholderWide;
}

function onPromptInput() {
  autoGrow();
  updateCounter();
  updateSendState();
  if (els.prompt.getAttribute('aria-invalid') === 'true') clearComposerError();
}

function onPromptKeydown(event) {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  if (hasSomethingToSend()) els.composer.requestSubmit();
}

/** Attaches a picked, dropped or pasted file; an unusable one stays visible with its error. */
function attachImage(file) {
  if (!file) return;
  setComposerImage(file);
  const error = validateImage(file);
  els.preview.classList.toggle('is-invalid', Boolean(error));
  if (error) showComposerError(error);
  else clearComposerError();
}

function setComposerImage(file) {
  if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
  state.composerFile = file;
  state.previewUrl = file ? URL.createObjectURL(file) : null;
  els.preview.hidden = !file;
  els.preview.classList.remove('is-invalid');
  if (file) {
    els.previewImg.src = state.previewUrl;
    els.previewName.textContent = file.name || 'Pasted image';
  } else {
    els.previewImg.removeAttribute('src');
    els.previewName.textContent = '';
  }
  updateSendState();
}

function removeComposerImage() {
  setComposerImage(null);
  clearComposerError();
  els.prompt.focus();
}

function resetComposer() {
  setComposerImage(null);
  els.prompt.value = '';
  autoGrow();
  updateCounter();
  updateSendState();
}

function setSubmitting(submitting) {
  state.submitting = submitting;
  els.send.setAttribute('aria-busy', String(submitting));
  updateSendState();
}

async function onComposerSubmit(event) {
  event.preventDefault();
  if (state.submitting) return;
  const { request, error, field } = readComposer();
  if (error) {
    showComposerError(error, field);
    return;
  }
  clearComposerError();
  setSubmitting(true);
  try {
    await submitGeneration(request);
    resetComposer();
    els.prompt.focus();
  } catch (submitError) {
    showComposerError(submitError.message);
  } finally {
    setSubmitting(false);
  }
}

function buildForm({ file, prompt, params = {} }) {
  const form = new FormData();
  form.append('image', file, file.name || 'image');
  form.append('prompt', prompt);
  if (params.negativePrompt) form.append('negativePrompt', params.negativePrompt);
  if (params.seed !== null && params.seed !== undefined) form.append('seed', String(params.seed));
  if (params.steps !== null && params.steps !== undefined) form.append('steps', String(params.steps));
  return form;
}

/** Sends one generation; adds its conversation entry and starts live updates. */
async function submitGeneration(request) {
  const job = await jobsApi.create(buildForm(request), newIdempotencyKey());
  if (!isJob(job)) throw new ApiError('The server did not answer with a job. Please try again.');
  const rec = upsertJob(job, { file: request.file, params: request.params });
  watch(rec);
  scrollToBottom(true);
  announce(`Queued: ${excerpt(job.prompt, 60)}`);
  return rec;
}

/* ---- Drag and drop, paste, file picker ---- */

function draggingFiles(event) {
  return Array.from(event.dataTransfer?.types || []).includes('Files');
}

function onDragEnter(event) {
  if (!draggingFiles(event)) return;
  event.preventDefault();
  state.dragDepth += 1;
  els.dropOverlay.hidden = false;
}

function onDragOver(event) {
  if (!draggingFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
}

function onDragLeave(event) {
  if (!draggingFiles(event)) return;
  state.dragDepth = Math.max(0, state.dragDepth - 1);
  if (state.dragDepth === 0) els.dropOverlay.hidden = true;
}

function onDrop(event) {
  if (!draggingFiles(event)) return;
  event.preventDefault();
  state.dragDepth = 0;
  els.dropOverlay.hidden = true;
  attachImage(event.dataTransfer.files[0]);
  els.prompt.focus();
}

function onPaste(event) {
  const items = Array.from(event.clipboardData?.items || []);
  const file = items.filter((item) => item.kind === 'file').map((item) => item.getAsFile()).find(Boolean);
  if (!file) return; // plain text pastes go on as usual
  event.preventDefault();
  attachImage(file);
}

function onFileChosen() {
  attachImage(els.imageInput.files[0]);
  els.imageInput.value = ''; // lets the same file be chosen again
  els.prompt.focus();
}

/* ============================== Records and rendering ============================== */

/**
 * A record holds one job and its UI:
 * { id, job, maxProgress, file, params, localImageUrl, ui, historyItem, imageItem, videoItem,
 *   watching, polling, source, watchdog, pollTimer, gone }
 */
function createRecord(job, extras = {}) {
  const rec = {
    id: job.jobId,
    job,
    maxProgress: 0,
    file: extras.file || null,
    params: extras.params || null,
    localImageUrl: extras.file ? URL.createObjectURL(extras.file) : null,
    ui: null,
    watching: false,
    polling: false,
    source: null,
    // submitted here: the server said 202, so a 404 soon after means "not visible yet", not "deleted"
    notFoundGraceUntil: extras.file ? Date.now() + NEW_JOB_GRACE_MS : 0,
    streamWhenVisible: false,
  };
  state.records.set(rec.id, rec);
  buildEntry(rec);
  buildHistoryItem(rec);
  buildImageItem(rec);
  renderRecord(rec);
  updateEmptyStates();
  return rec;
}

/** Adds a new job or applies a newer state of a known one. */
function upsertJob(job, extras) {
  const rec = state.records.get(job.jobId);
  if (!rec) return createRecord(job, extras);
  const previous = rec.job;
  if (isTerminal(previous) && !isTerminal(job)) return rec; // a stale update
  rec.job = job;
  renderRecord(rec);
  if (previous.status !== job.status) announceStatus(rec);
  return rec;
}

/** Applies an update from a live source only while the record still exists. */
function applyLiveUpdate(rec, job) {
  if (state.records.get(rec.id) !== rec || !isJob(job) || job.jobId !== rec.id) return;
  upsertJob(job);
}

function renderRecord(rec) {
  const { job } = rec;
  rec.maxProgress = Math.max(rec.maxProgress, clampPercent(job.progress));
  if (job.status === 'succeeded') rec.maxProgress = 100;
  renderAssistant(rec);
  renderHistoryItem(rec);
  if (job.status === 'succeeded') ensureVideoItem(rec);
  if (isTerminal(job)) stopWatching(rec);
}

/* ---- Chat entry ---- */

function buildEntry(rec) {
  const entry = cloneTemplate('tpl-entry');
  entry.dataset.entryJobId = rec.id;
  const thumb = $('.thumb', entry);
  thumb.addEventListener('error', () => thumb.classList.add('is-broken'), { once: true });
  thumb.src = rec.localImageUrl || imageUrlOf(rec.job);
  $('.prompt-text', entry).textContent = rec.job.prompt || '';
  const assistant = $('.msg-assistant', entry);
  assistant.dataset.jobId = rec.id;
  rec.ui = {
    entry,
    assistant,
    stage: $('.stage', entry),
    liveBlock: $('.live-block', entry),
    progress: $('.progress', entry),
    meta: $('.meta', entry),
    result: $('.result', entry),
    actions: $('.actions', entry),
    inlineError: $('.inline-error', entry),
    error: null,
    video: null,
    cancel: null,
    retry: null,
    download: null,
  };
  insertSorted(els.messages, entry, sortKeyOf(rec.job), 'asc');
  contentResizeObserver.observe(entry);
}

function stageText(job) {
  if (TERMINAL_STAGE[job.status]) return TERMINAL_STAGE[job.status];
  const stage = typeof job.stage === 'string' ? job.stage.replace(/[_-]+/g, ' ').trim() : '';
  if (stage) return stage.charAt(0).toUpperCase() + stage.slice(1);
  return job.status === 'queued' ? 'Waiting in the queue…' : 'Generating…';
}

function metaText(job, progress) {
  const parts = [];
  if (job.status === 'running' || progress > 0) parts.push(`${progress}%`);
  if (job.status === 'queued' && Number.isFinite(job.queuePosition)) {
    parts.push(`Position ${job.queuePosition} in queue`);
  }
  if (Number.isFinite(job.etaSeconds) && job.etaSeconds > 0) {
    parts.push(`about ${formatDuration(job.etaSeconds)} left`);
  }
  return parts.join(' · ');
}

function renderAssistant(rec) {
  const { job, ui } = rec;
  const active = !isTerminal(job);
  ui.assistant.dataset.status = job.status;
  ui.stage.textContent = stageText(job);
  ui.liveBlock.hidden = !active || rec.gone;
  renderProgress(ui.progress, rec.maxProgress, job);
  ui.meta.textContent = active ? metaText(job, rec.maxProgress) : '';
  if (job.status === 'succeeded') renderVideo(rec);
  renderError(rec);
  renderActions(rec);
}

function renderProgress(bar, value, job) {
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuetext', `${value}%, ${STATUS_LABEL[job.status] || job.status}`);
  bar.style.setProperty('--value', String(value));
  bar.classList.toggle('is-indeterminate', job.status === 'queued' && value === 0);
}

function renderVideo(rec) {
  const { job, ui } = rec;
  const src = videoUrlOf(job);
  if (ui.video) {
    if (job.posterUrl && ui.video.getAttribute('poster') !== job.posterUrl) ui.video.poster = job.posterUrl;
    return;
  }
  const video = document.createElement('video');
  video.controls = true;
  video.playsInline = true;
  video.setAttribute('playsinline', '');
  video.preload = 'metadata';
  if (job.posterUrl) video.poster = job.posterUrl;
  video.src = src;
  video.setAttribute('aria-label', `Video: ${excerpt(job.prompt, 80)}`);
  ui.video = video;
  ui.result.append(video);
}

function renderError(rec) {
  const { job, ui } = rec;
  if (job.status !== 'failed') {
    ui.error?.remove();
    ui.error = null;
    return;
  }
  if (!ui.error) {
    ui.error = document.createElement('div');
    ui.error.className = 'error';
    const body = document.createElement('div');
    const title = document.createElement('p');
    title.className = 'error-title';
    const detail = document.createElement('p');
    detail.className = 'error-detail';
    body.append(title, detail);
    ui.error.append(icon('i-alert'), body);
    ui.actions.before(ui.error);
  }
  const problem = job.error || {};
  $('.error-title', ui.error).textContent = problem.title || 'Generation failed';
  $('.error-detail', ui.error).textContent = problem.detail || 'Something went wrong while making this video.';
}

function renderActions(rec) {
  const { status } = rec.job;
  const hadFocus = rec.ui.actions.contains(document.activeElement);
  setAction(rec, 'cancel', !isTerminal(rec.job) && !rec.gone, () => makeButton('btn cancel', 'Cancel', 'i-stop'));
  setAction(rec, 'retry', status === 'failed' || status === 'canceled', () => makeButton('btn btn-primary retry', 'Retry', 'i-retry'));
  setAction(rec, 'download', status === 'succeeded', () => makeDownloadLink(rec.job));
  if (hadFocus && !rec.ui.actions.contains(document.activeElement)) {
    (rec.ui.actions.firstElementChild || rec.ui.entry).focus({ preventScroll: true });
  }
}

function setAction(rec, key, wanted, create) {
  const current = rec.ui[key];
  if (wanted && !current) {
    rec.ui[key] = create();
    rec.ui.actions.append(rec.ui[key]);
  } else if (!wanted && current) {
    current.remove();
    rec.ui[key] = null;
  }
}

function makeDownloadLink(job) {
  const link = document.createElement('a');
  link.className = 'btn btn-primary download';
  link.href = withQuery(videoUrlOf(job), 'download=1');
  link.download = `videogen-${job.jobId}.mp4`;
  link.append(icon('i-download'));
  const label = document.createElement('span');
  label.textContent = 'Download';
  link.append(label);
  return link;
}

function showInlineError(rec, message) {
  rec.ui.inlineError.textContent = message;
  rec.ui.inlineError.hidden = !message;
}

/** The server no longer knows this job (deleted elsewhere): stop and say so. */
function markGone(rec) {
  rec.gone = true;
  stopWatching(rec);
  renderAssistant(rec);
  showInlineError(rec, 'This job is no longer available on the server.');
}

/* ---- Sidebar items ---- */

function buildHistoryItem(rec) {
  const item = cloneTemplate('tpl-history-item');
  item.dataset.historyJobId = rec.id;
  const prompt = excerpt(rec.job.prompt, 140) || 'Untitled';
  $('.history-prompt', item).textContent = prompt;
  $('.history-open', item).dataset.openJobId = rec.id;
  const remove = $('.delete', item);
  remove.setAttribute('aria-label', `Delete “${excerpt(rec.job.prompt, 40)}”`);
  remove.title = 'Delete';
  const time = $('time', item);
  if (rec.job.createdAt) {
    time.dateTime = rec.job.createdAt;
    const parsed = Date.parse(rec.job.createdAt);
    if (Number.isFinite(parsed)) time.title = fullDateFormat.format(parsed);
  }
  rec.historyItem = item;
  insertSorted(els.historyList, item, sortKeyOf(rec.job), 'desc');
}

function renderHistoryItem(rec) {
  const item = rec.historyItem;
  item.dataset.status = rec.job.status;
  $('.badge', item).textContent = STATUS_LABEL[rec.job.status] || rec.job.status;
  scheduleTimeRefresh();
}

/** All relative times are computed from one moment, so a newer item never reads older than its neighbours. */
function scheduleTimeRefresh() {
  if (state.timesQueued) return;
  state.timesQueued = true;
  queueMicrotask(() => {
    state.timesQueued = false;
    refreshTimes();
  });
}

function buildGridItem(rec, src, label, attribute) {
  const item = cloneTemplate('tpl-grid-item');
  const button = $('.grid-open', item);
  button.dataset.openJobId = rec.id;
  button.setAttribute('aria-label', label);
  item.dataset[attribute] = rec.id;
  const img = $('img', item);
  img.addEventListener('error', () => button.classList.add('is-broken'), { once: true });
  if (src) img.src = src;
  else button.classList.add('is-broken');
  return item;
}

function buildImageItem(rec) {
  const label = `Input image: ${excerpt(rec.job.prompt, 60)}`;
  rec.imageItem = buildGridItem(rec, imageUrlOf(rec.job), label, 'imageJobId');
  insertSorted(els.imagesGrid, rec.imageItem, sortKeyOf(rec.job), 'desc');
}

function ensureVideoItem(rec) {
  if (rec.videoItem) return;
  const label = `Video: ${excerpt(rec.job.prompt, 60)}`;
  rec.videoItem = buildGridItem(rec, rec.job.posterUrl, label, 'videoJobId');
  insertSorted(els.videosGrid, rec.videoItem, sortKeyOf(rec.job), 'desc');
  updateEmptyStates();
}

function updateEmptyStates() {
  for (const note of document.querySelectorAll('[data-empty-for]')) {
    note.hidden = document.getElementById(note.dataset.emptyFor).childElementCount > 0;
  }
  els.welcome.hidden = state.records.size > 0;
}

function refreshTimes() {
  const now = Date.now();
  for (const rec of state.records.values()) $('time', rec.historyItem).textContent = relativeTime(rec.job.createdAt, now);
}

/* ============================== Job actions ============================== */

async function cancelJob(rec, button) {
  button.disabled = true;
  setButtonLabel(button, 'Canceling…');
  try {
    const job = await jobsApi.cancel(rec.id);
    if (isJob(job)) upsertJob(job);
    else await refreshJob(rec);
  } catch (error) {
    if (error.status === 404 && !(await jobStillExists(rec))) return markGone(rec);
    if (error.status === 409) return refreshJob(rec);
    showToast(`Could not cancel: ${error.message}`);
    button.disabled = false;
    setButtonLabel(button, 'Cancel');
  }
}

/** A 404 from an action may mean the job is gone, or only that the action is unknown: ask for the job itself. */
async function jobStillExists(rec) {
  if (inNotFoundGrace(rec)) return true;
  try {
    const job = await jobsApi.get(rec.id);
    if (isJob(job)) upsertJob(job);
    return true;
  } catch (error) {
    return error.status !== 404;
  }
}

async function refreshJob(rec) {
  try {
    const job = await jobsApi.get(rec.id);
    if (isJob(job)) upsertJob(job);
  } catch {
    /* live updates will catch up */
  }
}

async function retryJob(rec, button) {
  button.disabled = true;
  setButtonLabel(button, 'Retrying…');
  showInlineError(rec, '');
  try {
    if (!rec.job.prompt) throw new Error('This job has no prompt to send again.');
    const file = rec.file || (await downloadInputImage(rec.job));
    rec.file = file;
    await submitGeneration({ file, prompt: rec.job.prompt, params: rec.params || {} });
  } catch (error) {
    showInlineError(rec, error.message);
  } finally {
    button.disabled = false;
    setButtonLabel(button, 'Retry');
  }
}

async function downloadInputImage(job) {
  let response;
  try {
    response = await fetch(imageUrlOf(job), { credentials: 'same-origin' });
  } catch {
    throw new Error(MESSAGES.offline);
  }
  if (!response.ok) throw new Error('The original image is no longer available, so this job cannot be retried.');
  const blob = await response.blob();
  const type = (blob.type || 'image/png').split(';')[0].trim().toLowerCase();
  const extension = { 'image/jpeg': 'jpg', 'image/webp': 'webp' }[type] || 'png';
  return new File([blob], `image.${extension}`, { type });
}

async function deleteJob(rec, button) {
  button.disabled = true;
  try {
    await jobsApi.remove(rec.id);
  } catch (error) {
    if (error.status !== 404) {
      showToast(`Could not delete: ${error.message}`);
      button.disabled = false;
      return;
    }
  }
  const nextFocus = neighbourHistoryButton(rec.historyItem);
  removeRecord(rec);
  (nextFocus || els.tabHistory).focus();
  announce('Deleted.');
}

function neighbourHistoryButton(item) {
  const neighbour = item.nextElementSibling || item.previousElementSibling;
  return neighbour ? $('.history-open', neighbour) : null;
}

function removeRecord(rec) {
  stopWatching(rec);
  state.records.delete(rec.id);
  contentResizeObserver.unobserve(rec.ui.entry);
  for (const node of [rec.ui.entry, rec.historyItem, rec.imageItem, rec.videoItem]) node?.remove();
  if (rec.localImageUrl) URL.revokeObjectURL(rec.localImageUrl);
  updateEmptyStates();
}

/* ============================== Live updates ============================== */

function watch(rec) {
  if (rec.watching || isTerminal(rec.job) || rec.gone) return;
  rec.watching = true;
  if (typeof EventSource === 'function' && state.openStreams < MAX_STREAMS) openStream(rec);
  else startPolling(rec);
}

function openStream(rec) {
  const source = new EventSource(`${API}${jobPath(rec.id)}/events`);
  rec.source = source;
  state.openStreams += 1;
  let received = false;
  let failures = 0;
  rec.watchdog = setTimeout(() => {
    if (!received) switchToPolling(rec);
  }, SSE_FIRST_MESSAGE_MS);

  source.addEventListener('message', (event) => {
    received = true;
    failures = 0;
    applyLiveUpdate(rec, parseJson(event.data));
  });
  source.addEventListener('error', () => {
    failures += 1;
    if (source.readyState !== EventSource.CLOSED && failures < SSE_MAX_FAILURES) return;
    // Refused before its first message while the job may not be visible yet: poll until it is, then stream.
    if (!received && inNotFoundGrace(rec)) rec.streamWhenVisible = true;
    switchToPolling(rec);
  });
}

function closeStream(rec) {
  clearTimeout(rec.watchdog);
  if (!rec.source) return;
  rec.source.close();
  rec.source = null;
  state.openStreams -= 1;
}

function switchToPolling(rec) {
  closeStream(rec);
  if (rec.watching) startPolling(rec);
}

function startPolling(rec) {
  if (rec.polling) return;
  rec.polling = true;
  pollOnce(rec);
}

function inNotFoundGrace(rec) {
  return Date.now() < rec.notFoundGraceUntil;
}

async function pollOnce(rec) {
  if (!rec.polling) return;
  try {
    const job = await jobsApi.get(rec.id);
    applyLiveUpdate(rec, job);
    if (rec.streamWhenVisible && rec.polling && typeof EventSource === 'function' && state.openStreams < MAX_STREAMS) {
      rec.streamWhenVisible = false;
      rec.polling = false;
      openStream(rec); // visible now: back to live updates
      return;
    }
  } catch (error) {
    if (error.status === 404 && !inNotFoundGrace(rec)) {
      markGone(rec);
      return;
    }
    // 404 of a job just submitted, offline, 5xx: keep trying. A fresh job is polled faster until it shows up.
  }
  if (rec.polling) rec.pollTimer = setTimeout(() => pollOnce(rec), rec.streamWhenVisible ? POLL_MS / 4 : POLL_MS);
}

function stopWatching(rec) {
  rec.watching = false;
  rec.polling = false;
  clearTimeout(rec.pollTimer);
  closeStream(rec);
}

/* ============================== History loading ============================== */

function jobsOf(page) {
  const items = Array.isArray(page) ? page : page?.items;
  return Array.isArray(items) ? items.filter(isJob) : [];
}

async function fetchHistoryPage(cursor) {
  try {
    return await jobsApi.list(cursor);
  } catch (error) {
    console.warn('Videogen: history is not available:', error.message);
    return null;
  }
}

function addJobs(jobs) {
  for (const job of jobs) {
    if (state.records.has(job.jobId)) continue;
    watch(createRecord(job));
  }
}

function setNextCursor(page) {
  const cursor = page && !Array.isArray(page) ? page.nextCursor : null;
  state.nextCursor = typeof cursor === 'string' && cursor !== '' ? cursor : null;
  els.loadOlder.hidden = !state.nextCursor;
}

async function loadHistory() {
  const page = await fetchHistoryPage(null);
  addJobs(jobsOf(page));
  setNextCursor(page);
  if (state.records.size > 0) scrollToBottom(false);
}

async function loadOlder() {
  if (!state.nextCursor) return;
  els.loadOlder.disabled = true;
  const previousHeight = els.messages.scrollHeight;
  const page = await fetchHistoryPage(state.nextCursor);
  if (page) {
    addJobs(jobsOf(page));
    setNextCursor(page);
    els.messages.scrollTop += els.messages.scrollHeight - previousHeight; // keep the view in place
  } else {
    showToast('Could not load earlier generations.');
  }
  els.loadOlder.disabled = false;
}

/* ============================== Scrolling, focus, announcements ============================== */

function isNearBottom(threshold = 120) {
  const { scrollTop, scrollHeight, clientHeight } = els.messages;
  return scrollHeight - scrollTop - clientHeight < threshold;
}

function scrollToBottom(smooth) {
  state.pinnedToBottom = true;
  els.messages.scrollTo({ top: els.messages.scrollHeight, behavior: smooth && !reducedMotion.matches ? 'smooth' : 'auto' });
}

function revealEntry(rec) {
  const { entry } = rec.ui;
  entry.scrollIntoView({ block: 'center', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
  entry.classList.remove('is-highlighted');
  void entry.offsetWidth; // restart the highlight animation
  entry.classList.add('is-highlighted');
  entry.addEventListener('animationend', function onEnd(event) {
    if (event.target !== entry) return; // a spinner or progress animation inside the entry
    entry.classList.remove('is-highlighted');
    entry.removeEventListener('animationend', onEnd);
  });
  entry.focus({ preventScroll: true });
  for (const item of els.historyList.children) item.classList.toggle('is-current', item === rec.historyItem);
}

function announce(message) {
  els.live.textContent = '';
  window.setTimeout(() => {
    els.live.textContent = message;
  }, 50);
}

function announceStatus(rec) {
  const { job } = rec;
  const what = `“${excerpt(job.prompt, 60)}”`;
  const messages = {
    running: `Generating ${what}.`,
    succeeded: `Video ready: ${what}.`,
    failed: `Generation failed: ${job.error?.title || 'error'}.`,
    canceled: `Canceled ${what}.`,
  };
  if (messages[job.status]) announce(messages[job.status]);
}

function showToast(message) {
  els.toast.textContent = message;
  els.toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = window.setTimeout(() => {
    els.toast.hidden = true;
  }, 6000);
}

/* ============================== Sidebar and tabs ============================== */

function isSidebarOpen() {
  return els.app.classList.contains('sidebar-open');
}

function setSidebarOpen(open, { moveFocus = false } = {}) {
  els.app.classList.toggle('sidebar-open', open);
  els.sidebarToggle.setAttribute('aria-expanded', String(open));
  const label = open ? 'Close sidebar' : 'Open sidebar';
  els.sidebarToggle.setAttribute('aria-label', label);
  els.sidebarToggle.title = label;
  els.sidebar.inert = !open;
  els.scrim.hidden = !(open && narrowScreen.matches);
  if (!moveFocus) return;
  if (open) selectedTab().focus();
  else els.sidebarToggle.focus();
}

function selectedTab() {
  return els.tabs.find((tab) => tab.getAttribute('aria-selected') === 'true') || els.tabs[0];
}

function selectTab(tab, { focus = false } = {}) {
  for (const candidate of els.tabs) {
    const selected = candidate === tab;
    candidate.setAttribute('aria-selected', String(selected));
    candidate.tabIndex = selected ? 0 : -1;
    document.getElementById(candidate.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
}

function onTabKeydown(event) {
  const index = els.tabs.indexOf(event.currentTarget);
  const last = els.tabs.length - 1;
  const target = {
    ArrowRight: index === last ? 0 : index + 1,
    ArrowLeft: index === 0 ? last : index - 1,
    Home: 0,
    End: last,
  }[event.key];
  if (target === undefined) return;
  event.preventDefault();
  selectTab(els.tabs[target], { focus: true });
}

function onSidebarClick(event) {
  const remove = event.target.closest('.delete');
  if (remove) {
    const rec = state.records.get(remove.closest('[data-history-job-id]')?.dataset.historyJobId);
    if (rec) deleteJob(rec, remove);
    return;
  }
  const open = event.target.closest('[data-open-job-id]');
  const rec = open && state.records.get(open.dataset.openJobId);
  if (!rec) return;
  if (narrowScreen.matches) setSidebarOpen(false);
  revealEntry(rec);
}

function onMessagesClick(event) {
  const button = event.target.closest('button');
  if (!button) return;
  if (button === els.loadOlder) {
    loadOlder();
    return;
  }
  const rec = state.records.get(button.closest('[data-job-id]')?.dataset.jobId);
  if (!rec) return;
  if (button.classList.contains('cancel')) cancelJob(rec, button);
  else if (button.classList.contains('retry')) retryJob(rec, button);
}

function onGlobalKeydown(event) {
  if (event.key === 'Escape' && narrowScreen.matches && isSidebarOpen()) {
    setSidebarOpen(false, { moveFocus: true });
  }
}

/* ============================== Start ============================== */

function grabElements() {
  const byId = (id) => document.getElementById(id);
  Object.assign(els, {
    app: byId('app'),
    sidebar: byId('sidebar'),
    sidebarToggle: byId('sidebar-toggle'),
    scrim: byId('scrim'),
    tabHistory: byId('tab-history'),
    tabs: [byId('tab-history'), byId('tab-images'), byId('tab-videos')],
    historyList: byId('history-list'),
    imagesGrid: byId('images-grid'),
    videosGrid: byId('videos-grid'),
    messages: byId('messages'),
    welcome: byId('welcome'),
    loadOlder: byId('load-older'),
    composer: byId('composer'),
    composerError: byId('composer-error'),
    imageInput: byId('image-input'),
    attach: byId('attach'),
    preview: byId('preview'),
    previewImg: byId('preview-img'),
    previewName: byId('preview-name'),
    previewRemove: byId('preview-remove'),
    prompt: byId('prompt'),
    counter: byId('prompt-counter'),
    send: byId('send'),
    advanced: $('.advanced'),
    negativePrompt: byId('negative-prompt'),
    seed: byId('seed'),
    steps: byId('steps'),
    dropOverlay: byId('drop-overlay'),
    toast: byId('toast'),
    live: byId('live'),
  });
}

function bindEvents() {
  els.sidebarToggle.addEventListener('click', () => setSidebarOpen(!isSidebarOpen(), { moveFocus: narrowScreen.matches }));
  els.scrim.addEventListener('click', () => setSidebarOpen(false, { moveFocus: true }));
  narrowScreen.addEventListener('change', () => {
    setSidebarOpen(!narrowScreen.matches);
    updatePlaceholder();
  });
  for (const tab of els.tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', onTabKeydown);
  }
  els.sidebar.addEventListener('click', onSidebarClick);
  els.messages.addEventListener('click', onMessagesClick);
  els.messages.addEventListener('scroll', () => {
    state.pinnedToBottom = isNearBottom();
  }, { passive: true });
  contentResizeObserver.observe(els.messages);

  els.composer.addEventListener('submit', onComposerSubmit);
  els.prompt.addEventListener('input', onPromptInput);
  els.prompt.addEventListener('keydown', onPromptKeydown);
  els.attach.addEventListener('click', () => els.imageInput.click());
  els.imageInput.addEventListener('change', onFileChosen);
  els.previewRemove.addEventListener('click', removeComposerImage);
  els.previewImg.addEventListener('error', () => els.previewImg.removeAttribute('src'));
  for (const input of [els.seed, els.steps]) {
    input.addEventListener('input', () => {
      if (input.getAttribute('aria-invalid') === 'true') clearComposerError();
    });
  }

  document.addEventListener('dragenter', onDragEnter);
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('dragleave', onDragLeave);
  document.addEventListener('drop', onDrop);
  document.addEventListener('paste', onPaste);
  document.addEventListener('keydown', onGlobalKeydown);
}

function init() {
  grabElements();
  bindEvents();
  setSidebarOpen(!narrowScreen.matches);
  updatePlaceholder();
  selectTab(els.tabHistory);
  updateSendState();
  updateEmptyStates();
  window.setInterval(refreshTimes, 30 * 1000);
  loadHistory();
}

init();
