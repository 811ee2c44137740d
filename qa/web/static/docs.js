// The interactive API page: Swagger UI over /openapi.json (a file, not inline, so a strict CSP holds).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true });
});
