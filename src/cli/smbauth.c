/*
 * smbauth.c - where SMB credentials come from (the CLI reads them; the
 * library only receives them in struct ws_smb_opts).
 *
 * Never from the command line (it shows in process lists). In order:
 *   1. --auth-file FILE, or $WORMSIGN_SMB_AUTH_FILE: smbclient's -A format,
 *      lines "username = NAME", "password = SECRET", "domain = DOMAIN";
 *      the file must not be readable by group or others;
 *   2. $WORMSIGN_SMB_USER, $WORMSIGN_SMB_PASSWORD, $WORMSIGN_SMB_DOMAIN;
 *   3. --kerberos: the Kerberos ticket cache ($KRB5CCNAME, kinit).
 * A user written DOMAIN\user is split. The password is never printed: error
 * messages name the file or variable, not its value, and the buffer is wiped
 * when the command ends.
 */
#define _GNU_SOURCE 1
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int set(char **dst, const char *v)
{
    if (*dst) {
        explicit_bzero(*dst, strlen(*dst));
        free(*dst);
    }
    *dst = strdup(v);
    return *dst ? 0 : -1;
}

static int read_auth_file(const char *path, struct cli_smb *c)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "wormsign: cannot read the SMB auth file %s\n", path);
        return -1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
        fprintf(stderr, "wormsign: the SMB auth file %s is readable by others: chmod 600 it\n",
                path);
        fclose(f);
        return -1;
    }
    char line[1024];
    int rc = 0, n = 0;
    while (fgets(line, sizeof line, f) && n++ < 1000) {
        char *eq = strchr(line, '=');
        if (!eq || line[0] == '#')
            continue;
        *eq = '\0';
        char *k = trim(line), *v = trim(eq + 1);
        if (strcmp(k, "username") == 0)
            rc |= set(&c->user, v);
        else if (strcmp(k, "password") == 0)
            rc |= set(&c->password, v);
        else if (strcmp(k, "domain") == 0)
            rc |= set(&c->domain, v);
    }
    explicit_bzero(line, sizeof line);
    fclose(f);
    return rc;
}

int cli_smb_creds(struct cli_smb *c, const char *auth_file, int kerberos)
{
    const char *af = auth_file ? auth_file : getenv("WORMSIGN_SMB_AUTH_FILE");
    if (af && af[0]) {
        if (read_auth_file(af, c) != 0)
            return -1;
    } else {
        const char *u = getenv("WORMSIGN_SMB_USER");
        const char *p = getenv("WORMSIGN_SMB_PASSWORD");
        const char *d = getenv("WORMSIGN_SMB_DOMAIN");
        if ((u && set(&c->user, u) != 0) || (p && set(&c->password, p) != 0) ||
            (d && set(&c->domain, d) != 0))
            return -1;
    }
    if (c->user) {
        char *bs = strchr(c->user, '\\');
        if (bs && !c->domain) {
            *bs = '\0';
            if (set(&c->domain, c->user) != 0)
                return -1;
            memmove(c->user, bs + 1, strlen(bs + 1) + 1);
        }
    }
    c->opts.user = c->user;
    c->opts.password = c->password;
    c->opts.domain = c->domain;
    c->opts.kerberos = kerberos;
    return 0;
}

void cli_smb_release(struct cli_smb *c)
{
    if (c->password)
        explicit_bzero(c->password, strlen(c->password));
    free(c->password);
    free(c->user);
    free(c->domain);
    memset(c, 0, sizeof *c);
}
