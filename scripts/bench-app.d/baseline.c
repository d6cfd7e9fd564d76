// The baseline of scripts/bench-app: a bare WebKitGTK window (webkit2gtk-4.1, the library
// the app's WebView is) showing the same built UI, ui/dist, nothing else. It serves the
// files through a custom "tauri" URI scheme at tauri://localhost/, as Tauri does on Linux,
// so the page loads by the same path in both; the window has the size tauri.conf.json gives
// the app. Without the app's IPC the UI runs on its in-memory mock backend (ui/src/mock.ts)
// and reaches the same first screen (onboarding).
//
// Like wry, it accepts a WebDriver session when TAURI_WEBVIEW_AUTOMATION=true: the bench
// reads the paint timings of both subjects the same way, through WebKitWebDriver.
//
// Usage: baseline <ui/dist folder> [ignored arguments]
#include <string.h>
#include <webkit2/webkit2.h>

static const char *root;
static WebKitWebView *view;

static const char *mime_type(const char *path) {
  const char *dot = strrchr(path, '.');
  if (dot == NULL) return "application/octet-stream";
  if (strcmp(dot, ".html") == 0) return "text/html";
  if (strcmp(dot, ".js") == 0) return "text/javascript";
  if (strcmp(dot, ".css") == 0) return "text/css";
  if (strcmp(dot, ".svg") == 0) return "image/svg+xml";
  if (strcmp(dot, ".png") == 0) return "image/png";
  if (strcmp(dot, ".json") == 0) return "application/json";
  return "application/octet-stream";
}

static void serve(WebKitURISchemeRequest *request, gpointer unused) {
  const char *path = webkit_uri_scheme_request_get_path(request);
  if (path == NULL || *path == '\0' || strcmp(path, "/") == 0) path = "/index.html";
  GError *error = NULL;
  // The page asks only for files under ui/dist; anything climbing out of it is refused.
  if (strstr(path, "..") != NULL) {
    error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "path outside ui/dist");
    webkit_uri_scheme_request_finish_error(request, error);
    g_error_free(error);
    return;
  }
  char *file = g_build_filename(root, path, NULL);
  gchar *contents = NULL;
  gsize length = 0;
  if (!g_file_get_contents(file, &contents, &length, &error)) {
    webkit_uri_scheme_request_finish_error(request, error);
    g_error_free(error);
    g_free(file);
    return;
  }
  GInputStream *stream = g_memory_input_stream_new_from_data(contents, (gssize)length, g_free);
  webkit_uri_scheme_request_finish(request, stream, (gint64)length, mime_type(path));
  g_object_unref(stream);
  g_free(file);
}

static WebKitWebView *create_web_view(WebKitAutomationSession *session, gpointer unused) {
  return view;
}

static void automation_started(WebKitWebContext *context, WebKitAutomationSession *session,
                               gpointer unused) {
  WebKitApplicationInfo *info = webkit_application_info_new();
  webkit_application_info_set_name(info, "assent-bench-baseline");
  webkit_application_info_set_version(info, 1, 0, 0);
  webkit_automation_session_set_application_info(session, info);
  webkit_application_info_unref(info);
  g_signal_connect(session, "create-web-view", G_CALLBACK(create_web_view), NULL);
}

int main(int argc, char **argv) {
  gtk_init(&argc, &argv);
  if (argc < 2) {
    g_printerr("usage: %s <ui/dist folder>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  gboolean automation = g_strcmp0(g_getenv("TAURI_WEBVIEW_AUTOMATION"), "true") == 0;

  WebKitWebContext *context = webkit_web_context_get_default();
  webkit_web_context_register_uri_scheme(context, "tauri", serve, NULL, NULL);
  WebKitSecurityManager *security = webkit_web_context_get_security_manager(context);
  webkit_security_manager_register_uri_scheme_as_secure(security, "tauri");
  webkit_security_manager_register_uri_scheme_as_cors_enabled(security, "tauri");
  webkit_web_context_set_automation_allowed(context, automation);
  g_signal_connect(context, "automation-started", G_CALLBACK(automation_started), NULL);

  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(window), "Assent (bare WebView baseline)");
  gtk_window_set_default_size(GTK_WINDOW(window), 960, 760);
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  view = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", context,
                                      "is-controlled-by-automation", automation, NULL));
  gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(view));
  webkit_web_view_load_uri(view, "tauri://localhost/");
  gtk_widget_show_all(window);
  gtk_main();
  return 0;
}
