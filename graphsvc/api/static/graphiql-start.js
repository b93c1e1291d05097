// Starts GraphiQL on /graphql of this same origin (no inline script: the page's CSP forbids it).
(function () {
  const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).href });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: "{\n  zones {\n    id\n    name\n    level\n  }\n}\n",
    })
  );
  document.body.setAttribute("data-rendered", "true");
})();
