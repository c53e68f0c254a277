// The API's interactive page (templates/api/docs.html): Swagger UI over our OpenAPI document.
// Signed in, "Try it out" uses the session; unsafe methods send the page's CSRF token, as the portal's forms do.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  const csrfToken = root.dataset.csrfToken;
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
    requestInterceptor: (request) => {
      if (csrfToken && !["GET", "HEAD", "OPTIONS"].includes((request.method || "GET").toUpperCase())) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
});
