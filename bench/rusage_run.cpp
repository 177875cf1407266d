// SPDX-License-Identifier: MIT
// rusage_run: run a command and write its wall time, CPU time and peak RSS to a file.
//
//   usage: rusage_run RESULT_FILE COMMAND [ARGS...]
//
// RESULT_FILE gets one line: "wall_s=W user_s=U sys_s=S maxrss_kb=M status=X".
// The exit status is the command's (128+signal if it was killed).
//
// Why not os.wait4() from Python directly: on Linux a child's ru_maxrss starts at its
// parent's RSS at fork time (fork copies the memory high-water mark and execve folds it
// into the process's maxrss), so a command started from a 30 MB Python process never
// reports less than 30 MB. Forked from this small program, the inherited floor is ~1 MB.
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: rusage_run RESULT_FILE COMMAND [ARGS...]\n");
        return 2;
    }
    timespec t0{};
    timespec t1{};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("rusage_run: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        std::fprintf(stderr, "rusage_run: %s: %s\n", argv[2], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            std::perror("rusage_run: wait4");
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double wall = static_cast<double>(t1.tv_sec - t0.tv_sec) + static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e9;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::FILE* out = std::fopen(argv[1], "w");
    if (out == nullptr) {
        std::fprintf(stderr, "rusage_run: %s: %s\n", argv[1], std::strerror(errno));
        return 125;
    }
    std::fprintf(out, "wall_s=%.6f user_s=%.6f sys_s=%.6f maxrss_kb=%ld status=%d\n", wall,
                 static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
                 static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss,
                 code);
    std::fclose(out);
    return code;
}
