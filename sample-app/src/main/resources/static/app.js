'use strict';
// The dashboard. Every second it reads this node's view of the cluster (/actuator/clustermetrics) and where
// this node sent its work (/work/stats), then updates one card per node and the share chart. It also sends
// /work requests itself, so that there is traffic to watch. Plain browser JavaScript: no build step.

const REFRESH_MILLIS = 1000;
const TRAFFIC_PER_SECOND = 20;
const SHARE_SECONDS = 5;
const SHARE_MIN_REQUESTS = 5; // fewer requests in a window make no meaningful share
const STRESS_SECONDS = 30;
const CHART_HEIGHT = 260;
const COLORS = ['#2563eb', '#16a34a', '#db2777', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#64748b'];

const cards = new Map();        // address -> card element
const stressUntil = new Map();  // address -> when the stress this page started there ends (Date.now())
let chart = null;
let chartKey = '';

const $ = (id) => document.getElementById(id);
const shortName = (address) => address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
const percent = (x) => (100 * x).toFixed(0) + '%';
const megabytes = (bytes) => (bytes / 1048576).toFixed(0) + ' MB';
const clamp01 = (x) => Math.min(1, Math.max(0, x));

async function getJson(url, options) {
  const response = await fetch(url, Object.assign({ cache: 'no-store' }, options));
  if (!response.ok) throw new Error(url + ' answered ' + response.status);
  return response.json();
}

// ---- shares of work, from /work/stats: counts per node per second, oldest first ----

/** Each node's share of the work dispatched in the SHARE_SECONDS seconds ending at index `end`; null when none. */
function sharesAt(counts, nodes, end) {
  const sums = nodes.map((n) => (counts[n] || []).slice(Math.max(0, end - SHARE_SECONDS + 1), end + 1)
    .reduce((a, b) => a + b, 0));
  const total = sums.reduce((a, b) => a + b, 0);
  return { total, shares: sums.map((s) => (total >= SHARE_MIN_REQUESTS ? s / total : null)) };
}

// ---- the cards ----

function card(address, color) {
  let el = cards.get(address);
  if (!el) {
    el = $('card').content.firstElementChild.cloneNode(true);
    el.dataset.address = address;
    el.querySelector('.name').textContent = shortName(address);
    el.querySelector('.stress').addEventListener('click', () => stress(address));
    cards.set(address, el);
  }
  el.style.setProperty('--node-color', color);
  return el;
}

function setBar(el, name, fraction, text) {
  const metric = el.querySelector('.metric.' + name);
  metric.querySelector('.fill').style.width = (100 * clamp01(fraction)).toFixed(1) + '%';
  metric.querySelector('.value').textContent = text;
  metric.dataset.level = fraction >= 0.8 ? 'high' : fraction >= 0.5 ? 'mid' : 'low';
  el.dataset[name] = fraction.toFixed(3);
}

function renderCards(view, stats, colors, shares) {
  const alive = new Set(view.nodes.map((n) => n.address));
  for (const [address, el] of cards) {
    if (!alive.has(address)) {
      el.remove();
      cards.delete(address);
    }
  }
  const container = $('nodes');
  view.nodes.forEach((node, i) => {
    const el = card(node.address, colors.get(node.address));
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
    setBar(el, 'cpu', node.cpuLoad, percent(node.cpuLoad));
    setBar(el, 'memory', node.memoryUsage,
      node.memoryMax > 0 ? megabytes(node.memoryUsed) + ' / ' + megabytes(node.memoryMax) : 'unknown');
    const pool = el.querySelector('.metric.utilization');
    pool.hidden = node.utilization == null; // a node that reports no utilization
    if (node.utilization != null) setBar(el, 'utilization', node.utilization, percent(node.utilization));
    setBar(el, 'weight', node.weight, node.weight.toFixed(2));
    el.querySelector('.self').hidden = node.address !== view.self;
    el.querySelector('.best').hidden = node.address !== stats.leastLoaded;
    el.querySelector('.age').textContent = 'sample ' + (node.ageMillis / 1000).toFixed(1) + ' s old';
    const share = shares.get(node.address);
    el.dataset.share = share == null ? '' : share.toFixed(3);
    el.querySelector('.share').textContent = share == null ? 'no /work yet' : percent(share) + ' of /work';
    const left = Math.ceil(((stressUntil.get(node.address) || 0) - Date.now()) / 1000);
    const button = el.querySelector('.stress');
    button.disabled = left > 0;
    button.textContent = left > 0 ? 'Stressing… ' + left + ' s' : 'Stress for ' + STRESS_SECONDS + ' s';
    el.classList.toggle('stressed', left > 0);
  });
}

async function stress(address) {
  try {
    await getJson('/stress?seconds=' + STRESS_SECONDS + '&node=' + encodeURIComponent(address), { method: 'POST' });
    stressUntil.set(address, Date.now() + STRESS_SECONDS * 1000);
    refresh();
  } catch (e) {
    showStatus('Could not stress ' + shortName(address) + ': ' + e.message, true);
  }
}

// ---- the chart ----

function renderChart(stats, nodes, colors) {
  const el = $('share-chart');
  const length = Math.max(0, ...nodes.map((n) => (stats.counts[n] || []).length));
  const xs = Array.from({ length }, (_, k) => stats.end - length + 1 + k);
  const ys = nodes.map(() => []);
  for (let k = 0; k < length; k++) {
    sharesAt(stats.counts, nodes, k).shares.forEach((s, i) => ys[i].push(s == null ? null : 100 * s));
  }
  const key = nodes.join(' ');
  if (!chart || key !== chartKey) {
    if (chart) chart.destroy();
    el.textContent = '';
    chartKey = key;
    chart = new uPlot({
      width: el.clientWidth,
      height: CHART_HEIGHT,
      scales: { x: { time: true }, y: { range: [0, 100] } },
      legend: { live: false },
      axes: [{}, { values: (u, ticks) => ticks.map((t) => t + '%') }],
      series: [{}].concat(nodes.map((n) => ({
        label: shortName(n),
        stroke: colors.get(n),
        width: 2,
        points: { show: false },
      }))),
    }, [xs, ...ys], el);
  } else {
    chart.setData([xs, ...ys]);
  }
  // What the chart shows now, for people reading the DOM and for the browser test.
  el.dataset.end = String(stats.end);
  el.dataset.latest = JSON.stringify(Object.fromEntries(nodes.map((n, i) => [n, ys[i][length - 1] ?? null])));
}

window.addEventListener('resize', () => chart && chart.setSize({ width: $('share-chart').clientWidth, height: CHART_HEIGHT }));

// ---- refresh loop ----

function showStatus(text, error) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!error);
}

async function refresh() {
  try {
    const [view, stats] = await Promise.all([getJson('/actuator/clustermetrics'), getJson('/work/stats')]);
    const nodes = [...new Set([...view.nodes.map((n) => n.address), ...Object.keys(stats.counts)])].sort();
    const colors = new Map(nodes.map((n, i) => [n, COLORS[i % COLORS.length]]));
    const last = Math.max(0, ...nodes.map((n) => (stats.counts[n] || []).length)) - 1;
    const now = sharesAt(stats.counts, nodes, last);
    const shares = new Map(nodes.map((n, i) => [n, now.shares[i]]));
    renderCards(view, stats, colors, shares);
    renderChart(stats, nodes, colors);
    $('summary').innerHTML = '';
    $('summary').append('This node: ', strong(shortName(view.self || '?')), ' · selector ', strong(view.selector),
      ' · ', strong(String(view.nodes.length)), ' live nodes · least loaded: ',
      strong(stats.leastLoaded ? shortName(stats.leastLoaded) : '–'));
    const failure = trafficFailure && Date.now() - trafficFailure.at < 3 * REFRESH_MILLIS ? trafficFailure.text : null;
    showStatus('Updated ' + new Date().toLocaleTimeString() + ' · ' + (now.total / SHARE_SECONDS).toFixed(1)
      + ' /work per second dispatched by this node' + (failure ? ' · ' + failure : ''), !!failure);
  } catch (e) {
    showStatus('Cannot read this node: ' + e.message, true);
  }
}

function strong(text) {
  const b = document.createElement('strong');
  b.textContent = text;
  return b;
}

// ---- traffic from this page ----

let inFlight = 0;
let trafficFailure = null; // the last /work request that failed: { text, at }, shown for a few seconds
setInterval(() => {
  if (!$('traffic').checked || inFlight >= 10) return;
  inFlight++;
  const via = $('via').value;
  const failed = (why) => {
    trafficFailure = { text: '/work?via=' + via + ' ' + why + (via === 'gateway' ? ' (is the gateway running?)' : ''), at: Date.now() };
  };
  fetch('/work?via=' + via, { cache: 'no-store' })
    .then((response) => response.ok || failed('answered ' + response.status))
    .catch(() => failed('failed'))
    .finally(() => inFlight--);
}, 1000 / TRAFFIC_PER_SECOND);

refresh();
setInterval(refresh, REFRESH_MILLIS);
