/**
 * The HTML report's behaviour: filter and sort the findings table. Rows are rendered once by the
 * server side; filtering only toggles `hidden` and sorting re-appends the same row elements, so
 * 5,000 findings stay responsive without a framework. No data is ever put in this script: it
 * reads the DOM, so nothing from a feed can end up in code.
 */
export const SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('findings-table');
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows).map(function (tr, i) {
    return {
      tr: tr, i: i, sev: tr.getAttribute('data-sev'),
      kev: tr.getAttribute('data-kev') === '1', fix: tr.getAttribute('data-fix') === '1',
      text: tr.textContent.toLowerCase()
    };
  });
  var q = document.getElementById('q');
  var sevBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name=sev]'));
  var fixable = document.getElementById('fixable');
  var kevOnly = document.getElementById('kev-only');
  var count = document.getElementById('shown');
  var empty = document.getElementById('no-match');

  // Laying out a table costs time per visible row (about a second for 5,000 rows on a slow
  // machine), so at most \`limit\` matching rows are displayed; "Show more" raises the limit.
  var PAGE = Number(table.getAttribute('data-page')) || 500;
  var limit = PAGE;
  var paging = document.getElementById('paging');
  var displayedOut = document.getElementById('displayed');

  function apply() {
    var terms = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var sevs = {};
    sevBoxes.forEach(function (b) { if (b.checked) sevs[b.value] = true; });
    var shown = 0;
    for (var n = 0; n < rows.length; n++) {
      var r = rows[n];
      var match = sevs[r.sev] === true && (!fixable.checked || r.fix) && (!kevOnly.checked || r.kev)
        && terms.every(function (t) { return r.text.indexOf(t) !== -1; });
      var show = match && shown < limit;
      if (r.tr.hidden === show) r.tr.hidden = !show;
      if (match) shown++;
    }
    count.textContent = String(shown);
    empty.hidden = shown !== 0;
    paging.hidden = shown <= limit;
    displayedOut.textContent = String(Math.min(shown, limit));
  }

  function refilter() {
    limit = PAGE;
    apply();
  }

  // The server renders rows worst first and marks that column; clicking it again reverses.
  var initial = table.querySelector('th[aria-sort]');
  var sortKey = initial ? initial.getAttribute('data-sort') : null;
  var sortDir = initial && initial.getAttribute('aria-sort') === 'ascending' ? 1 : -1;
  function sortBy(th) {
    var key = th.getAttribute('data-sort');
    var numeric = th.getAttribute('data-type') === 'num';
    // Numbers (severity, scores) sort worst first on the first click, text A to Z.
    sortDir = key === sortKey ? -sortDir : (numeric ? -1 : 1);
    sortKey = key;
    var col = th.cellIndex;
    var keyed = rows.map(function (r) {
      var v = numeric ? Number(r.tr.getAttribute('data-' + key)) : r.tr.cells[col].textContent.toLowerCase();
      return { r: r, v: v };
    });
    keyed.sort(function (a, b) {
      var c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
      return c * sortDir || a.r.i - b.r.i;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.r.tr); });
    tbody.appendChild(frag);
    rows = keyed.map(function (k) { return k.r; });
    apply();
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
  }

  q.addEventListener('input', refilter);
  [fixable, kevOnly].concat(sevBoxes).forEach(function (b) { b.addEventListener('change', refilter); });
  document.getElementById('more').addEventListener('click', function () { limit += PAGE; apply(); });
  document.getElementById('all').addEventListener('click', function () { limit = Infinity; apply(); });
  table.tHead.addEventListener('click', function (e) {
    var th = e.target.closest('th[data-sort]');
    if (th) sortBy(th);
  });
  document.getElementById('controls').hidden = false;
  apply();
})();
`;
