// Stand-in for what VS Code puts into a webview before the page's scripts: acquireVsCodeApi() (state kept
// in sessionStorage so that a reload restores it, like the webview serializer), the theme's CSS variables
// and body class. Plus hooks for the tests: every posted message is recorded, tests send messages in, and
// requestHistory can be answered from a history the test provided (paging without a round trip to Node).
(function () {
  'use strict';
  var posted = [];
  var stateText = sessionStorage.getItem('vscode-state');
  var state = stateText ? JSON.parse(stateText) : undefined;
  var acquired = false;
  var host = {
    posted: posted,
    cspViolations: [],
    /** instanceId -> executionId -> events, for answering requestHistory. */
    histories: {},
    autoPage: true,
    send: function (message) {
      window.dispatchEvent(new MessageEvent('message', { data: message }));
    },
    clearPosted: function () {
      posted.length = 0;
    },
    state: function () {
      return state;
    },
  };
  window.__vscodeHost = host;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: function (message) {
        var copy = JSON.parse(JSON.stringify(message));
        posted.push(copy);
        // A test acting as the extension (page.exposeFunction) gets every message as it is posted.
        if (typeof window.__toExtension === 'function') window.__toExtension(copy);
        if (copy.type === 'requestHistory' && host.autoPage) answer(copy);
      },
      getState: function () {
        return state;
      },
      setState: function (value) {
        state = value;
        sessionStorage.setItem('vscode-state', JSON.stringify(value));
        return value;
      },
    });
  };
  function answer(request) {
    var executions = host.histories[request.instanceId];
    if (!executions) return;
    var executionId = request.executionId || executions.current;
    var events = executions[executionId];
    if (!events) return;
    setTimeout(function () {
      host.send({
        type: 'historyPage',
        instanceId: request.instanceId,
        page: { executionId: executionId, from: request.from, events: events.slice(request.from, request.from + request.limit), total: events.length },
      });
    }, 0);
  }
  document.addEventListener('securitypolicyviolation', function (e) {
    host.cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });
  // Theme: variables on the body (VS Code sets them on <html>; either works) and the body class.
  var theme = JSON.parse(document.getElementById('vscode-theme').textContent);
  document.body.classList.add(theme.bodyClass);
  document.body.setAttribute('data-vscode-theme-kind', theme.bodyClass);
  Object.keys(theme.variables).forEach(function (name) {
    document.body.style.setProperty(name, theme.variables[name]);
  });
})();
