/*
 * Benchmark (not a test): the CPU cost of the HTTP transport alone, for the floor that
 * tests/bench/bench-transport-floor sets logkeep's own cost against. It makes a given list of
 * requests with libcurl and nothing else: no signing, no parsing, no policy. Every request
 * carries the same fixed Authorization header, so the endpoint refuses them (403); what is
 * measured is the transport (connections, HTTP/1.1 framing, the kernel's loopback TCP), not the
 * answers' contents.
 *
 * Usage: bench_transport_floor MODE REQUESTS CONCURRENCY
 *   MODE         "multi": one thread, a multi handle driven by epoll through
 *                CURLMOPT_SOCKETFUNCTION/CURLMOPT_TIMERFUNCTION and curl_multi_socket_action
 *                (https://curl.se/libcurl/c/libcurl-multi.html, "multi_socket"), CONCURRENCY
 *                easy handles reused from request to request;
 *                "threads": CONCURRENCY threads, each with its own easy handle, blocking in
 *                curl_easy_perform (the model of logkeep's read workers).
 *   REQUESTS     a file of "METHOD URL" lines (GET, HEAD or POST; a POST sends "{}")
 *   CONCURRENCY  1 to 64
 * Prints one JSON object: the requests made, those answered, the bytes received, and the CPU
 * time (user and system, getrusage(RUSAGE_SELF)) and wall time of the requests alone.
 */
#include <curl/curl.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

#define S_MAX_CONCURRENCY 64

struct s_request {
    char method[8];
    char *url;
};

static struct s_request *s_requests;
static size_t s_n_requests;
static struct curl_slist *s_headers;      /* GET and HEAD */
static struct curl_slist *s_post_headers; /* POST */

/* Shared by the threads of "threads"; "multi" uses the same counters from one thread. */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t s_next;
static size_t s_answered;
static unsigned long long s_bytes;

static size_t s_on_body(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    unsigned long long *bytes = user;
    *bytes += size * nmemb;
    return size * nmemb;
}

static void s_die(const char *what)
{
    fprintf(stderr, "bench_transport_floor: %s\n", what);
    exit(2);
}

static void s_read_requests(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        s_die("cannot open the requests file");
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *space = strchr(line, ' ');
        if (space == NULL || (size_t)(space - line) >= sizeof(s_requests->method))
            continue;
        if (s_n_requests == cap) {
            cap = cap ? cap * 2 : 1024;
            s_requests = realloc(s_requests, cap * sizeof(*s_requests));
            if (s_requests == NULL)
                s_die("out of memory");
        }
        struct s_request *r = &s_requests[s_n_requests++];
        memcpy(r->method, line, (size_t)(space - line));
        r->method[space - line] = '\0';
        r->url = strdup(space + 1);
        if (r->url == NULL)
            s_die("out of memory");
    }
    fclose(f);
}

/* The options every request of a handle shares, as logkeep's transport sets them. */
static CURL *s_easy_new(unsigned long long *bytes)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        s_die("curl_easy_init failed");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, bytes);
    return e;
}

static void s_easy_prepare(CURL *e, const struct s_request *r)
{
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    /* Undo the previous request's method: POSTFIELDS first (setting it makes a POST). */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, (const void *)NULL);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (const char *)NULL);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s_headers);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)2);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                         strcmp(r->method, "POST") == 0 ? (const char *)NULL : r->method);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, s_post_headers);
    }
}

static void s_count(CURL *e, CURLcode cc)
{
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_OK && status > 0)
        s_answered++;
}

/* ---------------------------------------------------------------------------------------------
 * "threads": one blocking easy handle per thread
 * ------------------------------------------------------------------------------------------- */

static void *s_thread_main(void *arg)
{
    (void)arg;
    unsigned long long bytes = 0;
    CURL *e = s_easy_new(&bytes);
    for (;;) {
        pthread_mutex_lock(&s_lock);
        size_t i = s_next < s_n_requests ? s_next++ : s_n_requests;
        pthread_mutex_unlock(&s_lock);
        if (i == s_n_requests)
            break;
        s_easy_prepare(e, &s_requests[i]);
        CURLcode cc = curl_easy_perform(e);
        pthread_mutex_lock(&s_lock);
        s_count(e, cc);
        pthread_mutex_unlock(&s_lock);
    }
    curl_easy_cleanup(e);
    pthread_mutex_lock(&s_lock);
    s_bytes += bytes;
    pthread_mutex_unlock(&s_lock);
    return NULL;
}

static void s_run_threads(int concurrency)
{
    pthread_t threads[S_MAX_CONCURRENCY];
    for (int i = 0; i < concurrency; i++)
        if (pthread_create(&threads[i], NULL, s_thread_main, NULL) != 0)
            s_die("pthread_create failed");
    for (int i = 0; i < concurrency; i++)
        pthread_join(threads[i], NULL);
}

/* ---------------------------------------------------------------------------------------------
 * "multi": curl_multi_socket_action driven by epoll
 * ------------------------------------------------------------------------------------------- */

static CURLM *s_multi;
static int s_epoll = -1;
static long long s_deadline_ms = -1; /* the multi handle's timer, or -1 */

static long long s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_on_socket(CURL *e, curl_socket_t s, int what, void *user, void *socketp)
{
    (void)e;
    (void)user;
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.data.fd = s;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(s_epoll, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(s_multi, s, NULL);
        return 0;
    }
    ev.events =
        (uint32_t)((what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0));
    if (socketp == NULL) {
        epoll_ctl(s_epoll, EPOLL_CTL_ADD, s, &ev);
        curl_multi_assign(s_multi, s, &s_epoll); /* any non-NULL marker: "registered" */
    } else {
        epoll_ctl(s_epoll, EPOLL_CTL_MOD, s, &ev);
    }
    return 0;
}

static int s_on_timer(CURLM *m, long timeout_ms, void *user)
{
    (void)m;
    (void)user;
    s_deadline_ms = timeout_ms < 0 ? -1 : s_now_ms() + timeout_ms;
    return 0;
}

static void s_start_next(CURL *e)
{
    if (s_next >= s_n_requests)
        return;
    s_easy_prepare(e, &s_requests[s_next++]);
    curl_multi_add_handle(s_multi, e);
}

static size_t s_drain(void)
{
    size_t done = 0;
    CURLMsg *msg;
    int queued;
    while ((msg = curl_multi_info_read(s_multi, &queued)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode cc = msg->data.result;
        s_count(e, cc);
        curl_multi_remove_handle(s_multi, e);
        done++;
        s_start_next(e);
    }
    return done;
}

static void s_run_multi(int concurrency)
{
    CURL *easy[S_MAX_CONCURRENCY];
    int running = 0;
    size_t done = 0;

    s_epoll = epoll_create1(EPOLL_CLOEXEC);
    s_multi = curl_multi_init();
    if (s_epoll < 0 || s_multi == NULL)
        s_die("epoll or curl_multi_init failed");
    curl_multi_setopt(s_multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt(s_multi, CURLMOPT_TIMERFUNCTION, s_on_timer);
    for (int i = 0; i < concurrency; i++) {
        easy[i] = s_easy_new(&s_bytes);
        s_start_next(easy[i]);
    }
    while (done < s_n_requests) {
        struct epoll_event evs[S_MAX_CONCURRENCY];
        long long now = s_now_ms();
        int wait_ms = s_deadline_ms < 0     ? 1000
                      : s_deadline_ms > now ? (int)(s_deadline_ms - now)
                                            : 0;
        int n = wait_ms == 0 ? 0 : epoll_wait(s_epoll, evs, S_MAX_CONCURRENCY, wait_ms);
        if (n < 0 && errno != EINTR)
            s_die("epoll_wait failed");
        for (int i = 0; i < n; i++) {
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(s_multi, evs[i].data.fd, flags, &running);
        }
        if (s_deadline_ms >= 0 && s_now_ms() >= s_deadline_ms) {
            s_deadline_ms = -1;
            curl_multi_socket_action(s_multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        done += s_drain();
    }
    for (int i = 0; i < concurrency; i++)
        curl_easy_cleanup(easy[i]);
    curl_multi_cleanup(s_multi);
}

static double s_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        s_die("usage: bench_transport_floor multi|threads REQUESTS CONCURRENCY");
    bool multi = strcmp(argv[1], "multi") == 0;
    if (!multi && strcmp(argv[1], "threads") != 0)
        s_die("MODE is multi or threads");
    int concurrency = atoi(argv[3]);
    if (concurrency < 1 || concurrency > S_MAX_CONCURRENCY)
        s_die("CONCURRENCY is 1 to 64");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        s_die("curl_global_init failed");
    s_read_requests(argv[2]);
    if (s_n_requests == 0)
        s_die("no requests");
    /* A fixed, well-formed but wrong signature: the endpoint reads the request and refuses it. */
    static const char *const s_fixed[] = {
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature="
        "0000000000000000000000000000000000000000000000000000000000000000",
        "X-Amz-Date: 20261207T000000Z", "User-Agent: bench_transport_floor", "Expect:"};
    for (size_t i = 0; i < sizeof(s_fixed) / sizeof(s_fixed[0]); i++) {
        s_headers = curl_slist_append(s_headers, s_fixed[i]);
        s_post_headers = curl_slist_append(s_post_headers, s_fixed[i]);
    }
    s_post_headers = curl_slist_append(s_post_headers, "Content-Type: application/x-amz-json-1.1");
    if (s_headers == NULL || s_post_headers == NULL)
        s_die("out of memory");

    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    long long t0 = s_now_ms();
    if (multi)
        s_run_multi(concurrency);
    else
        s_run_threads(concurrency);
    long long wall_ms = s_now_ms() - t0;
    getrusage(RUSAGE_SELF, &after);

    double user = s_seconds(after.ru_utime) - s_seconds(before.ru_utime);
    double sys = s_seconds(after.ru_stime) - s_seconds(before.ru_stime);
    printf("{\"mode\": \"%s\", \"requests\": %zu, \"answered\": %zu, \"bytes\": %llu, "
           "\"user_s\": %.4f, \"sys_s\": %.4f, \"wall_s\": %.3f}\n",
           argv[1], s_n_requests, s_answered, s_bytes, user, sys, (double)wall_ms / 1000.0);

    curl_slist_free_all(s_headers);
    curl_slist_free_all(s_post_headers);
    for (size_t i = 0; i < s_n_requests; i++)
        free(s_requests[i].url);
    free(s_requests);
    curl_global_cleanup();
    return s_answered == s_n_requests ? 0 : 1;
}
